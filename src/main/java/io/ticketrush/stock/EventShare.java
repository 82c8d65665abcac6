package io.ticketrush.stock;

import java.util.concurrent.Semaphore;

import io.ticketrush.redis.EventKeys;

/**
 * This instance's share of one event's tickets: permits it may try to sell before asking Redis again.
 * Only {@code tryAcquire} is ever used, so no request waits here.
 */
public final class EventShare {

    private final String eventId;
    private final EventKeys keys;
    private final long gen;
    private final Semaphore permits;
    private volatile boolean soldOut;
    private volatile boolean retired;

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

    /** Gives back a permit that did not become a sale. */
    public void release() {
        permits.release();
    }

    /** Redis answered sold out: until the stock re-opens, answer sold out without asking it. */
    public void markSoldOut() {
        soldOut = true;
    }

    /** True when this share can sell nothing more, though Redis may still have tickets. */
    boolean exhausted() {
        return soldOut || permits.availablePermits() == 0;
    }

    public int permitsLeft() {
        return soldOut ? 0 : permits.availablePermits();
    }

    /** True once {@link LocalStock} has replaced this share with one of a newer sale: ask it for that one. */
    public boolean retired() {
        return retired;
    }

    void retire() {
        retired = true;
    }

    /** Starts over with a new share after Redis got tickets back (expiries, or a dead instance's share). */
    void reopen(int newPermits) {
        permits.drainPermits();
        permits.release(newPermits);
        soldOut = newPermits == 0;
    }
}
