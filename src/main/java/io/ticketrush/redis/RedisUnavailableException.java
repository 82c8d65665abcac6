package io.ticketrush.redis;

import jakarta.ejb.ApplicationException;

/**
 * Redis could not be reached or could not serve the command now; the caller may retry later. An application
 * exception for the EJB container, so that it reaches the servlet as itself (a 503) when an EJB's method throws
 * it, not wrapped in an {@code EJBException} (which would be a 500).
 */
@ApplicationException
public class RedisUnavailableException extends RuntimeException {

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Redis being away: the message of {@code e} when it says so, else null (a {@code PeriodicTask}'s outage). */
    public static String outage(RuntimeException e) {
        return e instanceof RedisUnavailableException ? e.getMessage() : null;
    }

    /** Without a stack trace, for a refusal that is expected and frequent under load, where the trace says nothing. */
    protected RedisUnavailableException(String message) {
        super(message, null, false, false);
    }
}
