package io.ticketrush.identity;

/** The OpenID provider's discovery document or keys could not be fetched: no token can be checked just now. */
public class ProviderUnavailableException extends RuntimeException {

    public ProviderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
