package io.ticketrush.queue;

/**
 * One consistent reading of a waiting room and its sale's stock (queue-status.lua). {@code frozen} is the
 * pre-queue's size, -1 until it is frozen; {@code reach} how many positions admission has reached;
 * {@code proofOfWork} what a join costs (0: nothing).
 */
public record QueueStatus(
        String eventId,
        long gen,
        long opensAt,
        long admitPerSecond,
        long windowMillis,
        double overbook,
        boolean paused,
        long joined,
        long frozen,
        String digest,
        long reach,
        long bought,
        long lapsed,
        double measuredRate,
        String commitment,
        String secretSeed,
        long tickets,
        long reserved,
        long paid,
        long now,
        long proofOfWork) {

    /** Tickets neither held nor paid. */
    public long available() {
        return Math.max(0, tickets - reserved - paid);
    }

    /** Nothing can be bought any more: every ticket is paid, no unpaid hold can expire and bring one back. */
    public boolean soldOut() {
        return paid >= tickets;
    }

    /**
     * Every ticket is held or paid, but some holds are unpaid: nothing is available now, and only a hold running
     * out can bring a ticket back (so the queue waits rather than say sold out).
     */
    public boolean awaitingReturns() {
        return !soldOut() && available() == 0;
    }

    /** The queue is open: opensAt has passed and the pre-queue is frozen. */
    public boolean open() {
        return frozen >= 0;
    }

    /** Admitted positions whose buyers have neither bought nor let their window lapse. */
    public long admittedUnused() {
        return reach - bought - lapsed;
    }

    /** Places not reached yet; none once sold out (they are told so). */
    public long waiting() {
        return soldOut() ? 0 : joined - reach;
    }

    /** Places never reached because nothing was left to buy. */
    public long toldSoldOut() {
        return soldOut() ? joined - reach : 0;
    }

    /** The seed, revealed only once the queue is open (null before). */
    public String seed() {
        return open() ? secretSeed : null;
    }

    /** The state every buyer shares: PRE_QUEUE, WAITING, PAUSED or SOLD_OUT. */
    public WaitingRoom.State state() {
        if (soldOut()) {
            return WaitingRoom.State.SOLD_OUT;
        }
        if (!open()) {
            return WaitingRoom.State.PRE_QUEUE;
        }
        return paused ? WaitingRoom.State.PAUSED : WaitingRoom.State.WAITING;
    }

    @Override
    public String toString() {
        // Never the secret seed, before or after the queue opens, in a log line.
        return "QueueStatus[" + eventId + " gen " + gen + ", joined " + joined + ", frozen " + frozen + ", reach "
                + reach + ", bought " + bought + ", lapsed " + lapsed + "]";
    }
}
