package io.ticketrush.web;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ticketrush.redis.RedisUnavailableException;

/**
 * Base of every servlet of the API: each request is routed by {@link #handle}, and whatever goes wrong is
 * answered in the JSON envelope, never as the server's HTML error page. Every answer names its instance in
 * {@value #INSTANCE_HEADER}, so a client (or a load test) sees where it landed. The header is set here rather than
 * by a filter: a filter costs the container a second round of invocation bookkeeping on every request.
 */
public abstract class ApiServlet extends HttpServlet {

    public static final String INSTANCE_HEADER = "X-Instance";

    private static final Logger LOG = Logger.getLogger(ApiServlet.class.getName());

    @Inject
    @ConfigProperty(name = "instance.name", defaultValue = "ticketrush")
    String instanceName;

    /** Seconds a client should wait before retrying while Redis is away. */
    static final String RETRY_AFTER_SECONDS = "1";

    protected abstract void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader(INSTANCE_HEADER, instanceName);
        try {
            handle(request, response);
        } catch (ApiException e) {
            if (e.status() == 413) {
                // The rest of the body is not read: close the connection rather than leave the client sending.
                response.setHeader("Connection", "close");
            } else if (e.status() == 503) {
                response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            }
            ApiResponse.error(response, e.status(), e.getMessage());
        } catch (RedisUnavailableException e) {
            // Not logged per request: the readiness check and the background tasks report the outage.
            response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            ApiResponse.error(response, 503, "ticket store unavailable, retry shortly");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Unexpected failure of " + request.getMethod() + " " + request.getRequestURI(), e);
            ApiResponse.error(response, 500, "internal error");
        }
    }

    /** The method is not one this path serves; {@code allowed} goes into the Allow header. */
    protected static ApiException methodNotAllowed(HttpServletRequest request, HttpServletResponse response,
            String allowed) {
        response.setHeader("Allow", allowed);
        return new ApiException(405, "method " + request.getMethod() + " not allowed here; use " + allowed);
    }
}
