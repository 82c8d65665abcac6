package io.ticketrush.queue;

import io.ticketrush.redis.RedisClient;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this instance knows of each waiting room, so that checking a place, an admission or a proof of work and placing
 * it in line need no Redis call. The advancers keep every view current ({@link #refresh}); a view missing or stale is
 * read from Redis (queue-status.lua).
 */
final class QueueViews {

    /**
     * What this instance knows of an event's waiting room: none ({@code queued} false), or its generation, the proof
     * of work a join costs (0: none) and, once the pre-queue is frozen and its digest known, the draw of its places;
     * read when the sale was at generation {@code saleGen}.
     */
    record View(
            boolean queued, long gen, QueueDraw draw, long rate, double measuredRate, long saleGen, long proofOfWork) {

        static View none(long saleGen) {
            return new View(false, 0, null, 0, 0, saleGen, 0);
        }

        /** The place's position, or null while the pre-queue's draw is not known yet. */
        Long position(long place) {
            return draw == null ? null : draw.position(place);
        }
    }

    private final RedisClient redis;
    private final Map<String, View> views = new ConcurrentHashMap<>();

    QueueViews(RedisClient redis) {
        this.redis = redis;
    }

    /** The view of the event's waiting room, read and kept when there is none yet. */
    View get(String eventId) {
        View view = views.get(eventId);
        if (view == null) {
            view = load(eventId);
            views.put(eventId, view);
        }
        return view;
    }

    /**
     * The view this instance keeps of a queued sale (the advancer keeps every one current), else a fresh reading
     * that is kept only when the sale turns out to be queued: a join naming any event id must not grow the map.
     */
    View known(String eventId) {
        View view = views.get(eventId);
        if (view == null) {
            view = load(eventId);
            if (view.queued()) {
                views.putIfAbsent(eventId, view);
            }
        }
        return view;
    }

    /**
     * The view for a caller whose sale is at generation {@code saleGen}: what was read of an earlier generation is
     * read again. (A view newer than the caller's generation is kept: the caller's share lags Redis by a refresh at
     * most, and reading again on every purchase meanwhile would cost a Redis call each.)
     */
    View current(String eventId, long saleGen) {
        View view = get(eventId);
        if (view.saleGen() < saleGen) {
            view = load(eventId);
            views.put(eventId, view);
        }
        return view;
    }

    void forget(String eventId) {
        views.remove(eventId);
    }

    /** Takes in advance.lua's reply: what it says is kept, what it does not (the seed and digest) is read once. */
    void refresh(String eventId, AdvanceScript.Reply reply) {
        if (reply.outcome() == AdvanceScript.Outcome.NO_WAITING_ROOM) {
            views.remove(eventId);
            return;
        }
        View old = views.get(eventId);
        if (old == null || old.gen() != reply.gen() || (reply.digestKnown() && old.draw() == null)) {
            views.put(eventId, load(eventId));
        } else {
            views.put(
                    eventId,
                    new View(
                            true,
                            reply.gen(),
                            old.draw(),
                            reply.rate(),
                            reply.measuredRate(),
                            old.saleGen(),
                            old.proofOfWork()));
        }
    }

    private View load(String eventId) {
        QueueStatusScript.Reading reading = QueueStatusScript.read(redis, eventId);
        if (reading.outcome() == QueueStatusScript.Outcome.NO_WAITING_ROOM) {
            return View.none(reading.saleGen());
        }
        QueueStatus status = reading.status();
        View old = views.get(eventId);
        QueueDraw draw = null;
        if (status.digest() != null) {
            draw = old != null && old.gen() == status.gen() && old.draw() != null
                    ? old.draw()
                    : QueueDraw.of(HexFormat.of().parseHex(status.secretSeed()), status.digest(), status.frozen());
        }
        return new View(
                true,
                status.gen(),
                draw,
                status.admitPerSecond(),
                status.measuredRate(),
                reading.saleGen(),
                status.proofOfWork());
    }
}
