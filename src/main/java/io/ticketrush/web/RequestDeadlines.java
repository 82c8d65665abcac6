package io.ticketrush.web;

import io.ticketrush.redis.DeadlineTimer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * The deadline of every asynchronous answer ({@link ApiServlet#answer}): a result not there
 * {@code redis.request-timeout-ms} after the request went asynchronous is failed with a 503, which the request is
 * answered with. The result itself is the flag that makes the answer happen once: whoever completes it first, its
 * producer or the deadline, answers; the other's completion does nothing.
 *
 * <p>Every request has the same timeout, so the results are watched in the order they came, which is the order of
 * their deadlines: watching costs a request one small entry on a lock-free queue (which lets go of the result once
 * it is answered), and a {@link DeadlineTimer} looks at the oldest entries a few times per deadline. The container's
 * own asynchronous timeout is not used: it checks once a second, and a request it times out while its answer is
 * being written is answered 500 over it.
 */
@ApplicationScoped
public class RequestDeadlines {

    private static final Logger LOG = Logger.getLogger(RequestDeadlines.class.getName());

    private static final Metadata TIMED_OUT = Metadata.builder()
            .withName("ticketrush.requests.timedout")
            .withDescription(
                    "Requests answered 503 because their answer did not come within" + " redis.request-timeout-ms")
            .build();

    /**
     * A result and when it is due ({@code System.nanoTime()}). Its entry stays queued until then, but not the result:
     * {@link #done()} lets it go as soon as it is complete, so that what a request answered is not kept a whole
     * timeout longer (kept for that long, every request's objects would outlive a young collection or two).
     */
    static final class Watched {

        private final long due;
        private volatile CompletableFuture<?> result;

        Watched(long due, CompletableFuture<?> result) {
            this.due = due;
            this.result = result;
        }

        /** The result is complete: nothing left to watch. */
        void done() {
            result = null;
        }
    }

    @Inject
    @ConfigProperty(name = "redis.request-timeout-ms")
    long timeoutMillis;

    @Inject
    MetricRegistry metrics;

    @Resource
    ManagedThreadFactory threads;

    private final Queue<Watched> watched = new ConcurrentLinkedQueue<>();
    private long timeoutNanos;
    private Counter timedOut;
    private DeadlineTimer checker;

    /** Deadlines of {@code timeoutMillis}, counted in {@code timedOut}, that only {@link #expire} enforces: for tests. */
    static RequestDeadlines of(long timeoutMillis, Counter timedOut) {
        RequestDeadlines deadlines = new RequestDeadlines();
        deadlines.timeoutMillis = timeoutMillis;
        deadlines.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        deadlines.timedOut = timedOut;
        return deadlines;
    }

    @PostConstruct
    void start() {
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        timedOut = metrics.counter(TIMED_OUT);
        checker = DeadlineTimer.start(
                threads,
                "ticketrush-request-deadlines",
                timeoutMillis,
                LOG,
                "Looking for answers past their deadline failed",
                () -> expire(System.nanoTime()));
    }

    @PreDestroy
    void stop() {
        checker.stop();
    }

    /**
     * Fails {@code result} with a 503 if it is not complete within the timeout. Call {@link Watched#done()} once it
     * is.
     */
    Watched watch(CompletableFuture<?> result) {
        Watched entry = new Watched(System.nanoTime() + timeoutNanos, result);
        watched.add(entry);
        return entry;
    }

    /** Fails every result due by {@code now}; those that were done already are only forgotten. */
    void expire(long now) {
        Watched oldest;
        // Entries are added in the order their deadlines were read, give or take the moment two requests take to
        // add theirs: one due a little earlier than an entry before it waits for the next look.
        while ((oldest = watched.peek()) != null && now - oldest.due >= 0) {
            watched.poll();
            CompletableFuture<?> result = oldest.result;
            if (result != null
                    && result.completeExceptionally(new ApiException(
                            503, "no answer from the ticket store within " + timeoutMillis + " ms, retry shortly"))) {
                timedOut.inc();
            }
        }
    }
}
