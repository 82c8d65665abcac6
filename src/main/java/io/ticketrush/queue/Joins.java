package io.ticketrush.queue;

import io.ticketrush.model.BuyerKey;
import java.util.concurrent.CompletableFuture;

/**
 * Joining a waiting room: the proof of work checked first where the sale asks for one, then the place given by
 * join.lua through the {@link JoinCombiner}, and where the buyer stands with it.
 */
final class Joins {

    private final QueueTokens tokens;
    private final ProofOfWork work;
    private final QueueViews views;
    private final JoinCombiner combiner;

    Joins(QueueTokens tokens, ProofOfWork work, QueueViews views, JoinCombiner combiner) {
        this.tokens = tokens;
        this.work = work;
        this.views = views;
        this.combiner = combiner;
    }

    /** See {@link WaitingRoom#join}. */
    CompletableFuture<WaitingRoom.Standing> join(String eventId, String userId, String pow) {
        String buyerKey = BuyerKey.of(userId);
        QueueViews.View view = views.known(eventId);
        if (view.queued() && view.proofOfWork() > 0) {
            checkWork(eventId, buyerKey, pow);
        }
        return combiner.join(eventId, buyerKey, tokens.placeHash(eventId, buyerKey))
                .thenApply(place -> standing(eventId, userId, buyerKey, place));
    }

    /** See {@link WaitingRoom#challenge}. */
    ProofOfWork.Challenge challenge(String eventId, String userId) {
        QueueViews.View view = views.known(eventId);
        if (!view.queued()) {
            throw WaitingRoom.noWaitingRoom(eventId);
        }
        if (view.proofOfWork() == 0) {
            throw new NoChallengeException(
                    "event " + eventId + "'s waiting room asks for no proof of work: join without pow");
        }
        return work.challenge(eventId, BuyerKey.of(userId), view.proofOfWork(), System.currentTimeMillis());
    }

    private void checkWork(String eventId, String buyerKey, String pow) {
        if (pow == null) {
            throw new QueueRefusedException(
                    "pow is required: this waiting room asks for a proof of work (solve GET /queue/" + eventId
                            + "/challenge, send its ALTCHA payload)");
        }
        try {
            work.check(pow, eventId, buyerKey, System.currentTimeMillis());
        } catch (ProofOfWork.Refused e) {
            throw new QueueRefusedException(e.getMessage());
        }
    }

    private WaitingRoom.Standing standing(String eventId, String userId, String buyerKey, JoinScript.Place joined) {
        if (joined.outcome() == JoinScript.Outcome.NO_WAITING_ROOM) {
            throw WaitingRoom.noWaitingRoom(eventId);
        }
        long place = joined.place();
        String token = tokens.place(new QueueTokens.Place(eventId, buyerKey, joined.gen(), place));
        Long position = null;
        if (joined.frozen() >= 0) {
            QueueViews.View view = views.get(eventId);
            position = place > joined.frozen()
                    ? Long.valueOf(place)
                    : view.gen() == joined.gen() ? view.position(place) : null;
        }
        WaitingRoom.State state = joined.soldOut()
                ? WaitingRoom.State.SOLD_OUT
                : joined.frozen() < 0
                        ? WaitingRoom.State.PRE_QUEUE
                        : position != null && position <= joined.reach()
                                ? WaitingRoom.State.ADMITTED
                                : joined.paused() ? WaitingRoom.State.PAUSED : WaitingRoom.State.WAITING;
        Long ahead = position == null
                ? null
                : state == WaitingRoom.State.ADMITTED ? 0 : Math.max(0, position - joined.reach() - 1);
        return new WaitingRoom.Standing(eventId, userId, token, state, position, ahead);
    }
}
