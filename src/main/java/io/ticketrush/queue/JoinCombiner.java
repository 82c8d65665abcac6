package io.ticketrush.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * Joins of concurrent buyers, combined into one join.lua call per event. A flash sale's joins come all at once;
 * one script call (and, with {@code appendfsync always}, one fsync) for the buyers that arrived together costs
 * Redis and the instance far less than one each. No thread of its own: the first request thread to find no call
 * under way makes it for everyone waiting (flat combining), the others wait for their answer; places are given
 * in the order the requests arrived here.
 */
final class JoinCombiner {

    /** One buyer's answer: {@code reply} is join.lua's reply with this buyer's place in position 1. */
    record Joined(List<Object> reply) {
    }

    private record Pending(String eventId, String buyerKey, String placeHash, CompletableFuture<Joined> result) {
    }

    /** At most this many buyers in one call, so that one script never holds Redis for long. */
    static final int MAX_BATCH = 256;
    /** Batches a combining thread makes before it lets another take over (its own buyer is waiting). */
    private static final int MAX_ROUNDS = 4;
    private static final long WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean combining = new AtomicBoolean();
    private final BiFunction<String, List<String>, List<?>> script;

    /** @param script runs join.lua for an event with the given arguments (pairs of buyer key and place hash) */
    JoinCombiner(BiFunction<String, List<String>, List<?>> script) {
        this.script = script;
    }

    Joined join(String eventId, String buyerKey, String placeHash) {
        Pending mine = new Pending(eventId, buyerKey, placeHash, new CompletableFuture<>());
        pending.add(mine);
        while (!mine.result().isDone()) {
            if (combining.compareAndSet(false, true)) {
                try {
                    for (int round = 0; round < MAX_ROUNDS && !pending.isEmpty(); round++) {
                        run(take());
                    }
                } finally {
                    combining.set(false);
                }
            } else {
                await(mine.result());
            }
        }
        try {
            return mine.result().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining", e);
        }
    }

    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        Pending next;
        while (batch.size() < MAX_BATCH && (next = pending.poll()) != null) {
            batch.add(next);
        }
        return batch;
    }

    private void run(List<Pending> batch) {
        Map<String, List<Pending>> byEvent = new LinkedHashMap<>();
        for (Pending join : batch) {
            byEvent.computeIfAbsent(join.eventId(), e -> new ArrayList<>()).add(join);
        }
        byEvent.forEach((eventId, joins) -> {
            List<String> args = new ArrayList<>(2 * joins.size());
            for (Pending join : joins) {
                args.add(join.buyerKey());
                args.add(join.placeHash());
            }
            List<?> reply;
            try {
                reply = script.apply(eventId, args);
            } catch (RuntimeException e) {
                joins.forEach(join -> join.result().completeExceptionally(e));
                return;
            }
            for (int i = 0; i < joins.size(); i++) {
                List<Object> own = new ArrayList<>(reply.subList(0, Math.min(reply.size(), 7)));
                if (i > 0 && reply.size() > 1) {
                    own.set(1, reply.get(6 + i));
                }
                joins.get(i).result().complete(new Joined(own));
            }
        });
    }

    private static void await(CompletableFuture<Joined> result) {
        try {
            result.get(WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Not done yet (try to combine), or done with a failure (rethrown by join).
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining", e);
        }
    }
}
