package io.ticketrush.queue;

import io.ticketrush.concurrent.Batcher;
import io.ticketrush.redis.PipelineFailures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Joins of concurrent buyers, combined into one join.lua call per event. A flash sale's joins come all at once;
 * one script call for the buyers that arrived together costs Redis and the instance far less than one each.
 * A {@link Batcher} gathers them; each batch is grouped by event, one call an event, and places are given in the
 * order the requests arrived here. The combining thread waits for a batch's replies before it takes the next, so
 * the joins that arrive meanwhile make the next batch; the request threads do not wait (see
 * {@link QueueServlet}): each reply answers its buyers. Joins wait within the instance's limits of Redis work
 * ({@link Batcher.Limits}): a join beyond the queue's capacity is refused at once, and the combining thread waits
 * for a batch's replies no longer than a call's deadline.
 */
final class JoinCombiner implements Runnable {

    private record Pending(String eventId, JoinScript.Buyer buyer) {}

    /** At most this many buyers in one call, so that one script never holds Redis for long. */
    static final int MAX_BATCH = 256;

    private final Batcher<Pending, JoinScript.Place> batcher;
    private final long deadlineNanos;
    private final BiFunction<String, List<JoinScript.Buyer>, CompletionStage<JoinScript.Reply>> script;

    /**
     * @param limits  how many joins may wait, and how long
     * @param refused told of every join refused or failed for {@code limits}, to count them
     * @param script  runs join.lua for an event's buyers, in order; its reply completes the stage
     */
    JoinCombiner(
            Batcher.Limits limits,
            Consumer<Batcher.Refusal> refused,
            BiFunction<String, List<JoinScript.Buyer>, CompletionStage<JoinScript.Reply>> script) {
        this.batcher = new Batcher<>(MAX_BATCH, limits, this::run, refused, PipelineFailures.INSTANCE);
        this.deadlineNanos = limits.deadline().toNanos();
        this.script = script;
    }

    /** The buyer's place, once join.lua has replied; a join refused is a future failed already. */
    CompletableFuture<JoinScript.Place> join(String eventId, String buyerKey, String placeHash) {
        return batcher.submit(new Pending(eventId, new JoinScript.Buyer(buyerKey, placeHash)));
    }

    /** The combining thread's loop, until {@link #stop()}. */
    @Override
    public void run() {
        batcher.run();
    }

    void stop() {
        batcher.stop();
    }

    private void run(List<Batcher.Call<Pending, JoinScript.Place>> batch) {
        Map<String, List<Batcher.Call<Pending, JoinScript.Place>>> byEvent = new LinkedHashMap<>();
        for (Batcher.Call<Pending, JoinScript.Place> join : batch) {
            byEvent.computeIfAbsent(join.input().eventId(), e -> new ArrayList<>())
                    .add(join);
        }
        List<CompletableFuture<?>> replies = new ArrayList<>(byEvent.size());
        byEvent.forEach((eventId, joins) -> {
            List<JoinScript.Buyer> buyers = new ArrayList<>(joins.size());
            for (Batcher.Call<Pending, JoinScript.Place> join : joins) {
                buyers.add(join.input().buyer());
            }
            CompletionStage<JoinScript.Reply> replied;
            try {
                replied = script.apply(eventId, buyers);
            } catch (RuntimeException e) {
                joins.forEach(join -> join.fail(e));
                return;
            }
            replies.add(replied.toCompletableFuture().whenComplete((reply, failure) -> {
                if (failure != null) {
                    RuntimeException cause = failure instanceof CompletionException && failure.getCause() != null
                            ? asRuntime(failure.getCause())
                            : asRuntime(failure);
                    joins.forEach(join -> join.fail(cause));
                    return;
                }
                for (int i = 0; i < joins.size(); i++) {
                    joins.get(i).complete(reply.place(i));
                }
            }));
        });
        // The buyers are answered above; this only waits, the failures are theirs. Replies later than a call's
        // deadline still answer their buyers when they come; the next batch goes meanwhile.
        try {
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(deadlineNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Theirs, as above.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException asRuntime(Throwable failure) {
        return failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
    }
}
