package io.ticketrush.model;

/**
 * A sale's waiting room, as {@code PUT /admin/events/{id}}'s {@code "queue"} object sets it: the pre-queue
 * freezes and admission starts at {@code opensAt} (epoch ms); positions are admitted at {@code admitPerSecond},
 * never beyond the tickets available times {@code overbook}; an admission is valid for
 * {@code admitWindowSeconds}; a join costs a proof of work of {@code proofOfWork} as ALTCHA's {@code maxnumber}
 * (0: none, see {@link ProofOfWork}).
 */
public record QueueSettings(
        long opensAt, long admitPerSecond, long admitWindowSeconds, double overbook, long proofOfWork) {

    /** 9999-12-31: an epoch in seconds by mistake is caught by the lower bound only; this catches microseconds. */
    public static final long MAX_OPENS_AT = 253_402_300_799_999L;

    public static final long MAX_ADMIT_PER_SECOND = 1_000_000L;
    public static final long MAX_WINDOW_SECONDS = 86_400L;
    public static final double MAX_OVERBOOK = 10.0;
    /**
     * Ten million: on average five million SHA-256 a join, about half a minute on a phone (docs/design.md, proof of
     * work). Beyond it a buyer would give up before the sale did.
     */
    public static final long MAX_PROOF_OF_WORK = 10_000_000L;

    /** A waiting room whose joins cost no proof of work. */
    public QueueSettings(long opensAt, long admitPerSecond, long admitWindowSeconds, double overbook) {
        this(opensAt, admitPerSecond, admitWindowSeconds, overbook, 0);
    }

    public long windowMillis() {
        return admitWindowSeconds * 1000;
    }
}
