package io.ticketrush.queue;

import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.RedisUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The advancer's rounds: every waiting room of {@value WaitingRoom#QUEUED} moved on (advance.lua) in one round trip,
 * this instance's views refreshed from the replies, and a pre-queue just frozen has its digest computed in the
 * background. A waiting room with nothing to do until its opening is left alone until then; one with nothing left to
 * do at all leaves the set.
 */
final class AdvanceRounds {

    private static final Logger LOG = Logger.getLogger(AdvanceRounds.class.getName());
    /** How long at most an instance leaves a waiting room before its opening alone before it looks again. */
    private static final long MOST_REST_NANOS = 2_000_000_000L;
    /** How long before a waiting room's opening (by Redis's clock) an instance starts moving it on again. */
    private static final long OPENING_LEAD_NANOS = 200_000_000L;

    private final RedisClient redis;
    private final EventSet queuedSales;
    private final QueueViews views;
    private final PreQueueDigest digests;
    private final int digestPage;
    /** Computes pre-queue digests, one at a time, so that the advancer never waits for one. */
    private final ExecutorService digester;
    /** The digests under way on this instance, as "eventId|gen". */
    private final Set<String> digesting = ConcurrentHashMap.newKeySet();
    /** Waiting rooms before their opening, with when to look at them again ({@code nanoTime}). */
    private final Map<String, Long> resting = new ConcurrentHashMap<>();

    AdvanceRounds(
            RedisClient redis, QueueViews views, PreQueueDigest digests, int digestPage, ExecutorService digester) {
        this.redis = redis;
        this.queuedSales = new EventSet(redis, WaitingRoom.QUEUED);
        this.views = views;
        this.digests = digests;
        this.digestPage = digestPage;
        this.digester = digester;
    }

    /** See {@link WaitingRoom#register}. */
    void register(String eventId, boolean queued) {
        if (queued) {
            queuedSales.add(eventId);
        }
        forget(eventId);
    }

    /** Looks at the event's waiting room again at the next round. */
    void forget(String eventId) {
        resting.remove(eventId);
    }

    /** Takes the event out of {@value WaitingRoom#QUEUED} (asking advance.lua again after, as {@link EventSet#retire} requires). */
    void retire(String eventId) {
        queuedSales.retire(eventId, () -> AdvanceScript.run(redis, eventId).finished());
        resting.remove(eventId);
    }

    /** One round over every waiting room; a failure is thrown once every reply has been taken in. */
    void advanceAll() {
        Set<String> queuedEvents = queuedSales.members();
        resting.keySet().retainAll(queuedEvents);
        Map<String, CompletableFuture<AdvanceScript.Reply>> replies = new LinkedHashMap<>();
        for (String eventId : queuedEvents) {
            Long quietUntil = resting.get(eventId);
            if (quietUntil == null || System.nanoTime() - quietUntil >= 0) {
                replies.put(eventId, AdvanceScript.runAsync(redis, eventId));
            }
        }
        RuntimeException failed = null;
        List<String> finished = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<AdvanceScript.Reply>> reply : replies.entrySet()) {
            try {
                if (advanced(reply.getKey(), reply.getValue().join())) {
                    finished.add(reply.getKey());
                }
            } catch (CompletionException e) {
                failed = failed != null
                        ? failed
                        : e.getCause() instanceof RuntimeException cause
                                ? cause
                                : new IllegalStateException(e.getCause());
            } catch (RuntimeException e) {
                failed = failed != null ? failed : e;
            }
        }
        finished.forEach(this::retire);
        if (failed != null) {
            throw failed;
        }
    }

    /** Moves one waiting room on at once, as a round does (an opening already past is opened now). */
    void advanceNow(String eventId) {
        advanced(eventId, AdvanceScript.run(redis, eventId));
    }

    /**
     * Takes in advance.lua's reply for the event: refreshes this instance's view of it and, for a pre-queue just
     * frozen, has its digest computed and recorded. True when the waiting room has nothing left to do (or there is
     * none any more).
     */
    private boolean advanced(String eventId, AdvanceScript.Reply reply) {
        if (reply.outcome() == AdvanceScript.Outcome.MOVED && reply.frozen() >= 0 && !reply.digestKnown()) {
            // Frozen, and no digest recorded yet: the instance that takes the lease computes it; the view learns it
            // on a later round.
            digestInBackground(eventId, reply.gen(), reply.frozen());
        }
        views.refresh(eventId, reply);
        if (reply.finished()) {
            // Sold out for good and no window open: nothing moves any more, until the sale is opened again.
            return true;
        }
        if (reply.outcome() == AdvanceScript.Outcome.BEFORE_OPENING) {
            // Before the opening nothing moves: look again just before it (an instance that opens or resets the
            // sale forgets this at once; the others look again within the pause at most).
            long untilOpening = TimeUnit.MILLISECONDS.toNanos(reply.millisToOpening()) - OPENING_LEAD_NANOS;
            resting.put(eventId, System.nanoTime() + Math.max(0, Math.min(untilOpening, MOST_REST_NANOS)));
        } else {
            resting.remove(eventId);
        }
        return false;
    }

    /**
     * Has the digest of the event's frozen pre-queue computed ({@link PreQueueDigest}) and recorded, on this
     * instance's digest thread, unless that is under way here already: a pre-queue of millions takes seconds to
     * read, and meanwhile the advancer moves every other waiting room on.
     */
    private void digestInBackground(String eventId, long gen, long size) {
        String job = eventId + "|" + gen;
        if (!digesting.add(job)) {
            return;
        }
        digester.execute(() -> {
            try {
                long start = System.nanoTime();
                Optional<String> digest = digests.compute(eventId, gen, size);
                if (digest.isPresent()) {
                    AdvanceScript.recordDigest(redis, eventId, digest.get(), gen);
                    LOG.info("Event " + eventId + ": the digest of its pre-queue of " + size
                            + " places, read in pages of " + digestPage + ", took "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                }
            } catch (RedisUnavailableException e) {
                // The advancer meets the same outage and reports it; it asks for the digest again once Redis is back.
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Computing the digest of event " + eventId + "'s pre-queue failed", e);
            } finally {
                digesting.remove(job);
            }
        });
    }
}
