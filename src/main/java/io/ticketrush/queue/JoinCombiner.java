package io.ticketrush.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

import io.ticketrush.redis.Batcher;

/**
 * Joins of concurrent buyers, combined into one join.lua call per event. A flash sale's joins come all at once;
 * one script call for the buyers that arrived together costs Redis and the instance far less than one each.
 * A {@link Batcher} gathers them; each batch is grouped by event, one call an event, and places are given in the
 * order the requests arrived here. The combining thread waits for a batch's replies before it takes the next, so
 * the joins that arrive meanwhile make the next batch; the request threads do not wait (see
 * {@link QueueServlet}): each reply answers its buyers.
 */
final class JoinCombiner implements Runnable {

    /** One buyer's answer: {@code reply} is join.lua's reply with this buyer's place in position 1. */
    record Joined(List<Object> reply) {
    }

    private record Pending(String eventId, String buyerKey, String placeHash) {
    }

    /** At most this many buyers in one call, so that one script never holds Redis for long. */
    static final int MAX_BATCH = 256;

    private final Batcher<Pending, Joined> batcher = new Batcher<>(MAX_BATCH, this::run);
    private final BiFunction<String, List<String>, CompletionStage<List<?>>> script;

    /**
     * @param script runs join.lua for an event with the given arguments (pairs of buyer key and place hash); its
     *               reply completes the stage
     */
    JoinCombiner(BiFunction<String, List<String>, CompletionStage<List<?>>> script) {
        this.script = script;
    }

    /** The buyer's place, once join.lua has replied. */
    CompletableFuture<Joined> join(String eventId, String buyerKey, String placeHash) {
        return batcher.submit(new Pending(eventId, buyerKey, placeHash));
    }

    /** The combining thread's loop, until {@link #stop()}. */
    @Override
    public void run() {
        batcher.run();
    }

    void stop() {
        batcher.stop();
    }

    private void run(List<Batcher.Call<Pending, Joined>> batch) {
        Map<String, List<Batcher.Call<Pending, Joined>>> byEvent = new LinkedHashMap<>();
        for (Batcher.Call<Pending, Joined> join : batch) {
            byEvent.computeIfAbsent(join.input().eventId(), e -> new ArrayList<>()).add(join);
        }
        List<CompletableFuture<?>> replies = new ArrayList<>(byEvent.size());
        byEvent.forEach((eventId, joins) -> {
            List<String> args = new ArrayList<>(2 * joins.size());
            for (Batcher.Call<Pending, Joined> join : joins) {
                args.add(join.input().buyerKey());
                args.add(join.input().placeHash());
            }
            CompletionStage<List<?>> replied;
            try {
                replied = script.apply(eventId, args);
            } catch (RuntimeException e) {
                joins.forEach(join -> join.fail(e));
                return;
            }
            replies.add(replied.toCompletableFuture().whenComplete((reply, failure) -> {
                if (failure != null) {
                    RuntimeException cause = failure instanceof CompletionException && failure.getCause() != null
                            ? asRuntime(failure.getCause()) : asRuntime(failure);
                    joins.forEach(join -> join.fail(cause));
                    return;
                }
                for (int i = 0; i < joins.size(); i++) {
                    List<Object> own = new ArrayList<>(reply.subList(0, Math.min(reply.size(), 7)));
                    if (i > 0 && reply.size() > 1) {
                        own.set(1, reply.get(6 + i));
                    }
                    joins.get(i).complete(new Joined(own));
                }
            }));
        });
        // The buyers are answered above; this only waits, the failures are theirs.
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
    }

    private static RuntimeException asRuntime(Throwable failure) {
        return failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
    }
}
