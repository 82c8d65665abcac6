package io.ticketrush.stock;

import io.ticketrush.redis.EventKeys;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This instance's share of one event's tickets: permits it may try to sell before asking Redis again.
 *
 * <p>No request waits here on a thread. A share that is merely empty for the moment — its permits held by requests
 * still waiting for Redis, or used up while Redis still has tickets — is not sold out: a buyer who meets it joins a
 * line and is handed the next permit given back or made by a re-open ({@link #acquire}), without holding a thread.
 * Only Redis saying the sale has nothing left ({@link #markSoldOut}) makes the share answer "sold out".
 */
public final class EventShare {

    /** How a wait for a permit ended. */
    public enum Grant {
        /** The caller holds a permit: it must become a sale or be {@link #release released}. */
        PERMIT,
        /** Redis said the sale has no ticket available. */
        SOLD_OUT,
        /** No permit came within the wait, or too many buyers were waiting already. */
        BUSY,
        /** The share was replaced by one of a newer sale (a reset): ask {@link LocalStock} for that one. */
        RETIRED
    }

    private static final CompletableFuture<Grant> PERMIT_NOW = CompletableFuture.completedFuture(Grant.PERMIT);
    private static final CompletableFuture<Grant> SOLD_OUT_NOW = CompletableFuture.completedFuture(Grant.SOLD_OUT);
    private static final CompletableFuture<Grant> BUSY_NOW = CompletableFuture.completedFuture(Grant.BUSY);
    private static final CompletableFuture<Grant> RETIRED_NOW = CompletableFuture.completedFuture(Grant.RETIRED);

    private final String eventId;
    private final EventKeys keys;
    private final long gen;
    private final Semaphore permits;
    /** Buyers waiting for a permit, first come first served; an entry already completed (timed out) is skipped. */
    private final Queue<CompletableFuture<Grant>> line = new ConcurrentLinkedQueue<>();

    private final AtomicInteger waiting = new AtomicInteger();
    private volatile boolean soldOut;
    private volatile boolean retired;
    /** Redis's last "sold out" that nginx may share, while its second lasts; null when there is none. */
    private volatile Reservation sharedSoldOut;
    /** The one request asking Redis for a sold-out answer to share, which the others of that moment wait for. */
    private final AtomicReference<CompletableFuture<Reservation>> confirming = new AtomicReference<>();

    EventShare(String eventId, long gen, int permits) {
        this.eventId = eventId;
        this.keys = EventKeys.of(eventId);
        this.gen = gen;
        this.permits = new Semaphore(permits);
        this.soldOut = permits == 0;
    }

    public String eventId() {
        return eventId;
    }

    public EventKeys keys() {
        return keys;
    }

    /** The generation of the sale this share is of. */
    public long gen() {
        return gen;
    }

    /** Takes a permit unless the share is used up or Redis said the event is sold out. */
    public boolean tryAcquire() {
        return !soldOut && permits.tryAcquire();
    }

    /**
     * A permit now or as soon as one is given back or the share re-opens, in the order buyers asked; {@code SOLD_OUT}
     * once Redis says nothing is left; {@code BUSY} when none came within {@code waitMillis} or {@code maxWaiting}
     * buyers wait already. The future completes on whichever thread gives the permit back, or on the JDK's delay
     * thread when the wait runs out.
     */
    public CompletableFuture<Grant> acquire(long waitMillis, int maxWaiting) {
        if (retired) {
            return RETIRED_NOW;
        }
        if (soldOut) {
            return SOLD_OUT_NOW;
        }
        if (permits.tryAcquire()) {
            return PERMIT_NOW;
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return BUSY_NOW;
        }
        CompletableFuture<Grant> mine = new CompletableFuture<>();
        mine.whenComplete((grant, failure) -> waiting.decrementAndGet());
        line.add(mine);
        // Whatever changed between the first look and joining the line went to nobody in it: look again.
        if (retired) {
            mine.complete(Grant.RETIRED);
        } else if (soldOut) {
            mine.complete(Grant.SOLD_OUT);
        } else if (permits.tryAcquire() && !mine.complete(Grant.PERMIT)) {
            // Handed one meanwhile as well: the second goes on to the next in line.
            release();
        }
        if (!mine.isDone()) {
            CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS, Runnable::run)
                    .execute(() -> {
                        if (mine.complete(Grant.BUSY)) {
                            line.remove(mine);
                        }
                    });
        }
        return mine;
    }

    /** Gives back a permit that did not become a sale: to the first buyer waiting, or to the share. */
    public void release() {
        CompletableFuture<Grant> next;
        do {
            while ((next = line.poll()) != null) {
                if (next.complete(Grant.PERMIT)) {
                    return;
                }
            }
            permits.release();
            // A buyer who joined the line after it was found empty, and looked for a permit before this one was
            // back, would wait for nothing: take it back for the line.
        } while (!line.isEmpty() && permits.tryAcquire());
    }

    /** Redis answered sold out: until the stock re-opens, answer sold out without asking it; nobody waits on. */
    public void markSoldOut() {
        soldOut = true;
        endWaits(Grant.SOLD_OUT);
    }

    /** True once Redis said the sale has no ticket available, until it has some again. */
    public boolean soldOut() {
        return soldOut;
    }

    /**
     * Redis's "sold out" given in second {@code nowSecond} (epoch, Redis's clock), which nginx shares for the rest of
     * that second anyway; null when Redis has not said it in this second.
     */
    public Reservation sharedSoldOut(long nowSecond) {
        Reservation known = sharedSoldOut;
        return known != null && known.sharedThrough() >= nowSecond ? known : null;
    }

    /** Remembers Redis's shareable "sold out" (see {@link #sharedSoldOut}). */
    public void rememberSharedSoldOut(Reservation soldOut) {
        sharedSoldOut = soldOut;
    }

    /**
     * Makes {@code mine} the request that asks Redis for a sold-out answer to share, unless one is asking already:
     * then that one's answer, which the caller waits for instead.
     */
    public CompletableFuture<Reservation> confirmOrJoin(CompletableFuture<Reservation> mine) {
        return confirming.compareAndExchange(null, mine);
    }

    /** {@code mine}'s question to Redis is answered: the next one asks again. */
    public void confirmed(CompletableFuture<Reservation> mine) {
        confirming.compareAndSet(mine, null);
    }

    /** True when this share can sell nothing more, though Redis may still have tickets. */
    boolean exhausted() {
        return soldOut || permits.availablePermits() == 0;
    }

    public int permitsLeft() {
        return soldOut ? 0 : permits.availablePermits();
    }

    /** Buyers waiting for a permit now. */
    public int waiting() {
        return waiting.get();
    }

    /** True once {@link LocalStock} has replaced this share with one of a newer sale: ask it for that one. */
    public boolean retired() {
        return retired;
    }

    void retire() {
        retired = true;
        endWaits(Grant.RETIRED);
    }

    /** Starts over with a new share after Redis got tickets back (expiries, or a dead instance's share). */
    void reopen(int newPermits) {
        permits.drainPermits();
        sharedSoldOut = null;
        soldOut = newPermits == 0;
        if (soldOut) {
            endWaits(Grant.SOLD_OUT);
            return;
        }
        int left = newPermits;
        CompletableFuture<Grant> next;
        while (left > 0 && (next = line.poll()) != null) {
            if (next.complete(Grant.PERMIT)) {
                left--;
            }
        }
        permits.release(left);
        // As in release(): a buyer who joined the line meanwhile gets one of them.
        if (!line.isEmpty() && permits.tryAcquire()) {
            release();
        }
    }

    private void endWaits(Grant grant) {
        CompletableFuture<Grant> next;
        while ((next = line.poll()) != null) {
            next.complete(grant);
        }
    }
}
