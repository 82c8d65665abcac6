package io.ticketrush.redis;

import io.ticketrush.concurrent.Batcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The writes a buyer waits for, of concurrent requests, sent to Redis together down one pipeline by one thread
 * ({@link Batcher}): with {@code appendfsync always} Redis then writes and syncs its log once for the whole batch.
 * A call unanswered by its deadline is failed, whatever holds the pipeline's thread, and the thread is replaced
 * should it ever end.
 */
final class WritePipeline {

    private static final Logger LOG = Logger.getLogger(WritePipeline.class.getName());

    /** At most this many scripts in one pipeline. */
    static final int MAX_PIPELINE = 256;

    private final ThreadFactory threads;
    private final Function<List<RedisClient.ScriptCall>, Object[]> run;
    private final Batcher<RedisClient.ScriptCall, Object> batcher;
    /** Fails the calls past their deadline and replaces the pipeline's thread. */
    private final DeadlineTimer expiry;
    /** The pipeline's thread: it outlives anything its batches throw, and is replaced should it end all the same. */
    private volatile Thread sender;

    private volatile boolean closing;

    /**
     * Starts the pipeline's thread: {@code run} sends a batch and gives each script's reply or failure, in order;
     * {@code refused} counts the calls refused for want of room or failed past their deadline.
     */
    WritePipeline(
            ThreadFactory threads,
            Batcher.Limits limits,
            Function<List<RedisClient.ScriptCall>, Object[]> run,
            Consumer<Batcher.Refusal> refused) {
        this.threads = threads;
        this.run = run;
        this.batcher = new Batcher<>(MAX_PIPELINE, limits, this::send, refused, PipelineFailures.INSTANCE);
        startSender();
        this.expiry = DeadlineTimer.start(
                threads,
                "ticketrush-redis-deadlines",
                limits.deadline().toMillis(),
                LOG,
                "Looking after the Redis pipeline failed",
                this::expireCalls);
    }

    /** Sends {@code script} with the next batch and waits for its reply. */
    Object call(RedisClient.ScriptCall script) {
        return batcher.call(script);
    }

    /** Sends {@code script} with the next batch; the reply completes the future. */
    CompletableFuture<Object> submit(RedisClient.ScriptCall script) {
        return batcher.submit(script);
    }

    void stop() {
        closing = true;
        expiry.stop();
        batcher.stop();
    }

    private void startSender() {
        Thread thread = threads.newThread(batcher);
        thread.setName("ticketrush-redis-pipeline");
        thread.setDaemon(true);
        thread.start();
        sender = thread;
    }

    /** Fails the pipeline's calls past their deadline, and replaces its thread should it ever have ended. */
    private void expireCalls() {
        batcher.expire();
        if (!sender.isAlive() && !closing) {
            LOG.severe("The Redis pipeline's thread has ended; another takes over");
            startSender();
        }
    }

    private void send(List<Batcher.Call<RedisClient.ScriptCall, Object>> batch) {
        List<RedisClient.ScriptCall> scripts = new ArrayList<>(batch.size());
        batch.forEach(call -> scripts.add(call.input()));
        Object[] replies = run.apply(scripts);
        for (int i = 0; i < replies.length; i++) {
            if (replies[i] instanceof RuntimeException failure) {
                batch.get(i).fail(failure);
            } else {
                batch.get(i).complete(replies[i]);
            }
        }
    }
}
