package io.ticketrush.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Joins of concurrent buyers, combined into one join.lua call per event. A flash sale's joins come all at once;
 * one script call for the buyers that arrived together costs Redis and the instance far less than one each.
 * One thread of its own makes the calls, one at a time: it takes every join waiting (up to {@link #MAX_BATCH}),
 * groups them by event and answers each request thread, which waits for its answer. Places are given in the
 * order the requests arrived here.
 */
final class JoinCombiner implements Runnable {

    /** One buyer's answer: {@code reply} is join.lua's reply with this buyer's place in position 1. */
    record Joined(List<Object> reply) {
    }

    private record Pending(String eventId, String buyerKey, String placeHash, CompletableFuture<Joined> result) {
    }

    /** At most this many buyers in one call, so that one script never holds Redis for long. */
    static final int MAX_BATCH = 256;

    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final BiFunction<String, List<String>, List<?>> script;
    private volatile boolean stopped;

    /** @param script runs join.lua for an event with the given arguments (pairs of buyer key and place hash) */
    JoinCombiner(BiFunction<String, List<String>, List<?>> script) {
        this.script = script;
    }

    Joined join(String eventId, String buyerKey, String placeHash) {
        if (stopped) {
            throw new IllegalStateException("the instance is shutting down");
        }
        Pending mine = new Pending(eventId, buyerKey, placeHash, new CompletableFuture<>());
        pending.add(mine);
        try {
            return mine.result().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining", e);
        }
    }

    /** The combining thread's loop, until {@link #stop()}. */
    @Override
    public void run() {
        List<Pending> batch = new ArrayList<>();
        while (!stopped) {
            try {
                Pending first = pending.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, MAX_BATCH - 1);
                run(batch);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                batch.forEach(join -> join.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        RuntimeException gone = new IllegalStateException("the instance is shutting down");
        Pending left;
        while ((left = pending.poll()) != null) {
            left.result().completeExceptionally(gone);
        }
    }

    void stop() {
        stopped = true;
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
}
