package io.ticketrush.stock;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * reserve.lua's face: its keys and arguments, and its reply read straight into a {@link Reservation}, so that the
 * purchase path makes no object more than the answer it gives.
 */
final class ReserveScript {

    static final LuaScript SCRIPT = LuaScript.load("reserve");

    private static final int RESERVED = 1;
    private static final int SOLD_OUT = -1;
    private static final int ALREADY_HELD = -2;
    private static final int NOT_ADMITTED = -403;
    private static final int NO_SUCH_SALE = -404;
    private static final int DELETED = -410;

    private static final String SHARED = "1";
    private static final String NOT_SHARED = "";

    /** Why reserve.lua refused an admission (its {@code {-403, why}}), and what the buyer is told. */
    enum Refusal {
        REQUIRED("required", "an admission is required: this sale has a waiting room"),
        EARLIER_SALE("earlier sale", "the admission is of an earlier sale: the sale was reset since"),
        USED("used", "the admission was already used"),
        LAPSED("lapsed", "the admission lapsed: its window has passed");

        private final String word;
        private final String message;

        Refusal(String word, String message) {
            this.word = word;
            this.message = message;
        }

        String message() {
            return message;
        }

        static Refusal of(String word) {
            for (Refusal refusal : values()) {
                if (refusal.word.equals(word)) {
                    return refusal;
                }
            }
            throw new IllegalStateException("reserve.lua refused an admission for a reason it does not list: " + word);
        }
    }

    private final RedisClient redis;

    ReserveScript(RedisClient redis) {
        this.redis = redis;
    }

    /**
     * A reservation in a sale without a waiting room; with {@code shared}, a sold-out answer says through which
     * second nginx may give it to every buyer, and Redis records that for a reset to wait out.
     */
    CompletableFuture<Reservation> reserve(
            String eventId, EventKeys keys, String buyerKey, String userId, String orderSuffix, boolean shared) {
        return run(
                eventId,
                keys.all(),
                List.of(eventId, buyerKey, userId, orderSuffix, shared ? SHARED : NOT_SHARED),
                shared);
    }

    /** A reservation against an admission to the sale's waiting room, checked and used up in the same step. */
    CompletableFuture<Reservation> reserveAdmitted(
            String eventId,
            EventKeys keys,
            String buyerKey,
            String userId,
            String orderSuffix,
            long admissionGen,
            long place,
            long position) {
        QueueKeys queue = QueueKeys.of(eventId);
        List<String> allKeys = new ArrayList<>(keys.all());
        allKeys.addAll(List.of(queue.queue(), queue.admits(), queue.admitInfo(), queue.used()));
        return run(
                eventId,
                allKeys,
                List.of(
                        eventId,
                        buyerKey,
                        userId,
                        orderSuffix,
                        NOT_SHARED,
                        Long.toString(admissionGen),
                        Long.toString(place),
                        Long.toString(position)),
                false);
    }

    private CompletableFuture<Reservation> run(String eventId, List<String> keys, List<String> args, boolean shared) {
        return redis.evalReplicatedAsync(SCRIPT, keys, args).thenApply(reply -> decode(reply, shared, eventId));
    }

    static Reservation decode(Object answer, boolean shared, String eventId) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return switch (ScriptReply.code(SCRIPT, reply)) {
            case RESERVED -> new Reservation(Reservation.Outcome.RESERVED, ScriptReply.order(SCRIPT, reply));
            case SOLD_OUT ->
                shared ? Reservation.soldOutAt(ScriptReply.number(SCRIPT, reply, 1)) : Reservation.SOLD_OUT;
            case ALREADY_HELD -> new Reservation(Reservation.Outcome.ALREADY_HELD, ScriptReply.order(SCRIPT, reply));
            case NOT_ADMITTED ->
                new Reservation(
                        Reservation.Outcome.NOT_ADMITTED,
                        null,
                        Refusal.of(ScriptReply.text(SCRIPT, reply, 1)).message());
            case NO_SUCH_SALE -> Reservation.NO_SUCH_EVENT;
            case DELETED -> Reservation.DELETED;
            default -> throw new IllegalStateException("reserve.lua answered " + reply + " for " + eventId);
        };
    }
}
