package io.ticketrush.queue;

import jakarta.json.stream.JsonGenerator;

/**
 * A waiting room's status on the wire, in its two public shapes: the state every buyer shares
 * ({@code GET /queue/{eventId}}) and the admin's ledger ({@code "queue"} in {@code /admin/events/{eventId}}). How far
 * admission has reached ({@link QueueStatus#reach()}) is documented under two names, {@code "reach"} for buyers and
 * {@code "admitted"} in the ledger beside what became of those admitted; both are written here, from the one number.
 */
public final class QueueStatusJson {

    private QueueStatusJson() {}

    /** The state every buyer shares, as the fields of the answer's {@code data}. */
    public static void writeShared(JsonGenerator json, QueueStatus status) {
        json.write("eventId", status.eventId())
                .write("state", status.state().name())
                .write("opensAt", status.opensAt())
                .write("now", status.now());
        writeFrozen(json, status);
        json.write("joined", status.joined())
                .write("reach", status.reach())
                .write("admitPerSecond", status.admitPerSecond())
                .write("measuredRate", status.measuredRate())
                .write("admitWindowSeconds", status.windowMillis() / 1000)
                .write("proofOfWork", status.proofOfWork())
                .write("tickets", status.tickets())
                .write("available", status.available())
                .write("reserved", status.reserved())
                .write("paused", status.paused())
                .write("awaitingReturns", status.awaitingReturns())
                .write("soldOut", status.soldOut());
    }

    /**
     * The settings and ledger, as the object {@code "queue"}; the ledger always balances:
     * joined = waiting + admittedUnused + bought + lapsed + toldSoldOut.
     */
    public static void writeLedger(JsonGenerator json, QueueStatus status) {
        json.writeStartObject("queue")
                .write("state", status.state().name())
                .write("opensAt", status.opensAt())
                .write("admitPerSecond", status.admitPerSecond())
                .write("admitWindowSeconds", status.windowMillis() / 1000)
                .write("overbook", status.overbook())
                .write("proofOfWork", status.proofOfWork())
                .write("paused", status.paused())
                .write("commitment", status.commitment())
                .write("joined", status.joined())
                .write("waiting", status.waiting())
                .write("admitted", status.reach())
                .write("admittedUnused", status.admittedUnused())
                .write("bought", status.bought())
                .write("lapsed", status.lapsed())
                .write("toldSoldOut", status.toldSoldOut())
                .write("measuredRate", status.measuredRate());
        writeFrozen(json, status);
        json.writeEnd();
    }

    /** The pre-queue's size, null until it is frozen. */
    private static void writeFrozen(JsonGenerator json, QueueStatus status) {
        if (status.open()) {
            json.write("frozen", status.frozen());
        } else {
            json.writeNull("frozen");
        }
    }
}
