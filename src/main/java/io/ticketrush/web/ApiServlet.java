package io.ticketrush.web;

import io.ticketrush.model.InstanceName;
import io.ticketrush.redis.RedisBusyException;
import io.ticketrush.redis.RedisUnavailableException;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

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
    InstanceName instance;

    @Inject
    RequestDeadlines deadlines;

    /** Seconds a client should wait before retrying while Redis is away. */
    static final String RETRY_AFTER_SECONDS = "1";

    /**
     * Failures found by {@link #answer}'s asynchronous completion, by request, for its dispatch to answer. Not a
     * request attribute: the container's attribute map is a plain HashMap, and the container thread may still be
     * reading it.
     */
    private static final Map<ServletRequest, RuntimeException> ASYNC_FAILURES = new ConcurrentHashMap<>();

    /** Requests answered by this instance's servlets since it started (for the dashboard's requests per second). */
    private static final LongAdder REQUESTS = new LongAdder();

    protected abstract void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader(INSTANCE_HEADER, instance.get());
        RuntimeException failure;
        if (request.getDispatcherType() == DispatcherType.ASYNC
                && (failure = ASYNC_FAILURES.remove(innermost(request))) != null) {
            // Back from answer(): a failure found after the request went asynchronous, answered here.
            if (!response.isCommitted()) {
                response.resetBuffer();
            }
            fail(request, response, failure);
            return;
        }
        if (request.getDispatcherType() == DispatcherType.REQUEST) {
            REQUESTS.increment();
        }
        try {
            handle(request, response);
        } catch (RuntimeException e) {
            fail(request, response, e);
        }
    }

    /** Requests this instance's servlets have taken since it started, each counted once (not its dispatches). */
    public static long requestsAnswered() {
        return REQUESTS.sum();
    }

    /** Answers what went wrong in the JSON envelope: its status for a refusal ({@link Refusals}), else 503 or 500. */
    private static void fail(HttpServletRequest request, HttpServletResponse response, RuntimeException failure)
            throws IOException {
        ApiException e = Refusals.of(failure);
        if (e != null) {
            if (e.status() == 413) {
                // The rest of the body is not read: close the connection rather than leave the client sending.
                response.setHeader("Connection", "close");
            } else if (e.status() == 503) {
                response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            }
            ApiResponse.error(response, e.status(), e.getMessage());
        } else if (failure instanceof RedisBusyException) {
            // Counted, not logged per request (ticketrush_redis_refused_total): a crowd would flood the log.
            response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            ApiResponse.error(response, 503, "too many requests waiting for the ticket store, retry shortly");
        } else if (failure instanceof RedisUnavailableException) {
            // Not logged per request: the readiness check and the background tasks report the outage.
            response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            ApiResponse.error(response, 503, "ticket store unavailable, retry shortly");
        } else {
            LOG.log(
                    Level.SEVERE,
                    "Unexpected failure of " + request.getMethod() + " " + request.getRequestURI(),
                    failure);
            ApiResponse.error(response, 500, "internal error");
        }
    }

    /** Writes the answer to a request once its result is known. */
    @FunctionalInterface
    protected interface Answer<T> {
        void write(HttpServletResponse response, T result) throws IOException;
    }

    /**
     * Answers with {@code answer} once {@code result} is done: at once when it already is (a sold-out answer), else
     * asynchronously, without holding the request thread, on the thread that completes it (Redis's reply). A
     * failure is answered as {@link #service} answers one. A result not done within {@code redis.request-timeout-ms}
     * is failed with a 503 ({@link RequestDeadlines}), so {@code result} must be this request's own. Its producer
     * goes on regardless: a purchase Redis reserves after its buyer was answered 503 is theirs, and their retry
     * ({@code retry=true}) finds it. The servlet must be {@code asyncSupported}.
     */
    protected <T> void answer(
            HttpServletRequest request, HttpServletResponse response, CompletionStage<T> result, Answer<T> answer)
            throws IOException {
        CompletableFuture<T> future = result.toCompletableFuture();
        if (future.isDone()) {
            answer.write(response, join(future));
            return;
        }
        AsyncContext async = request.startAsync();
        // No timeout of the container's: RequestDeadlines fails the result instead, so that whoever completes it
        // first answers, once, and a timeout can never answer over a reply being written.
        async.setTimeout(0);
        RequestDeadlines.Watched deadline = deadlines.watch(future);
        future.whenComplete((value, failure) -> {
            deadline.done();
            RuntimeException problem = failure == null ? null : unwrap(failure);
            if (problem == null) {
                try {
                    answer.write(response, value);
                    async.complete();
                    return;
                } catch (IOException e) {
                    // The client went away; there is no one left to answer.
                    LOG.log(Level.FINE, "Could not answer " + request.getRequestURI(), e);
                    async.complete();
                    return;
                } catch (Throwable e) {
                    // An Error too: thrown out of this callback it would be lost, and the request never answered.
                    problem = e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
                }
            }
            // An error status is not set from this thread: the container thread that started the asynchronous cycle
            // may still be on its way out of the request, reading and resetting the response, and the answer would
            // carry the error's body under status 200. A dispatch re-enters service() on a container thread only
            // after that thread is done; it answers there.
            ASYNC_FAILURES.put(innermost(request), problem);
            async.dispatch();
        });
    }

    /** The container's own request under any wrappers: an asynchronous dispatch may wrap the one it started from. */
    private static ServletRequest innermost(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        return inner;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RuntimeException e ? e : new IllegalStateException(cause);
    }

    /** The method is not one this path serves; {@code allowed} goes into the Allow header. */
    protected static ApiException methodNotAllowed(
            HttpServletRequest request, HttpServletResponse response, String allowed) {
        response.setHeader("Allow", allowed);
        return new ApiException(405, "method " + request.getMethod() + " not allowed here; use " + allowed);
    }
}
