package io.ticketrush.queue;

import io.ticketrush.model.BuyerKey;
import io.ticketrush.redis.RedisClient;
import java.util.function.Consumer;

/**
 * Admissions: what a place's admission is, or where it stands and when it may expect one (admission.lua and the
 * view's rates), and the check of an admission token before a purchase.
 */
final class Admissions {

    private final RedisClient redis;
    private final QueueTokens tokens;
    private final QueueViews views;
    private final Consumer<String> forget;

    /** @param forget makes this instance read the event's waiting room again (a reset newer than its view) */
    Admissions(RedisClient redis, QueueTokens tokens, QueueViews views, Consumer<String> forget) {
        this.redis = redis;
        this.tokens = tokens;
        this.views = views;
        this.forget = forget;
    }

    /** See {@link WaitingRoom#admission}. */
    WaitingRoom.AdmissionAnswer admission(String eventId, String placeToken, String buyer) {
        QueueTokens.Place place = checkPlace(placeToken, eventId);
        if (buyer != null && !place.buyerKey().equals(BuyerKey.of(buyer))) {
            throw new QueueRefusedException("this place is another buyer's");
        }
        QueueViews.View view = views.get(eventId);
        if (!view.queued()) {
            throw WaitingRoom.noWaitingRoom(eventId);
        }
        if (place.gen() > view.gen()) {
            // A sale newer than this instance has seen (reset a moment ago): look again. An older place's
            // generation is refused by the script without reloading anything.
            forget.accept(eventId);
            view = views.get(eventId);
        }
        Long position = view.gen() == place.gen() ? view.position(place.place()) : null;
        AdmissionScript.Reply reply = AdmissionScript.run(redis, eventId, place.gen(), place.place(), position);
        return switch (reply.outcome()) {
            case ADMITTED ->
                new WaitingRoom.AdmissionAnswer.Admitted(
                        tokens.admission(new QueueTokens.Admission(
                                eventId, place.buyerKey(), place.gen(), place.place(), position, reply.expiresAt())),
                        reply.expiresAt(),
                        position);
            case PRE_QUEUE, WAITING -> notYet(reply, position, view);
            case SOLD_OUT -> new WaitingRoom.AdmissionAnswer.SoldOut();
            case USED -> throw new QueueRefusedException("this place's admission was already used");
            case LAPSED -> throw new QueueRefusedException("this place's admission lapsed: its window has passed");
            case EARLIER_SALE ->
                throw new QueueRefusedException("the place is of an earlier sale: the sale was reset since");
            case NO_WAITING_ROOM -> throw WaitingRoom.noWaitingRoom(eventId);
        };
    }

    /**
     * Where a place not admitted yet stands: people ahead, and the seconds until its admission at the rate set (the
     * soonest) and at the rate measured, if slower (the latest; none while paused or not measured yet).
     */
    private static WaitingRoom.AdmissionAnswer.NotYet notYet(
            AdmissionScript.Reply reply, Long position, QueueViews.View view) {
        boolean preQueue = reply.outcome() == AdmissionScript.Outcome.PRE_QUEUE;
        WaitingRoom.State state = preQueue
                ? WaitingRoom.State.PRE_QUEUE
                : reply.paused() ? WaitingRoom.State.PAUSED : WaitingRoom.State.WAITING;
        Long ahead = position == null ? null : Math.max(0, position - reply.reach() - 1);
        Long etaMin = ahead == null || preQueue ? null : seconds(ahead, view.rate());
        Long etaMax = ahead == null || preQueue || state == WaitingRoom.State.PAUSED || view.measuredRate() <= 0
                ? null
                : seconds(ahead, Math.min(view.measuredRate(), view.rate()));
        return new WaitingRoom.AdmissionAnswer.NotYet(state, position, ahead, etaMin, etaMax);
    }

    private static long seconds(long ahead, double perSecond) {
        return (long) Math.ceil(ahead / perSecond);
    }

    /** See {@link WaitingRoom#checkAdmission}. */
    QueueTokens.Admission checkAdmission(String eventId, String userId, String token) {
        if (token == null) {
            throw new QueueRefusedException("an admission is required: this sale has a waiting room" + " (POST /queue/"
                    + eventId + "/join, then /admission)");
        }
        try {
            return tokens.checkAdmission(token, eventId, BuyerKey.of(userId), System.currentTimeMillis());
        } catch (QueueTokens.Refused e) {
            throw new QueueRefusedException(e.getMessage());
        }
    }

    private QueueTokens.Place checkPlace(String token, String eventId) {
        if (token == null) {
            throw new QueueRefusedException("place is required: the token POST /queue/" + eventId + "/join gave");
        }
        try {
            return tokens.checkPlace(token, eventId);
        } catch (QueueTokens.Refused e) {
            throw new QueueRefusedException(e.getMessage());
        }
    }
}
