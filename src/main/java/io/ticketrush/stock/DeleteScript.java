package io.ticketrush.stock;

import io.ticketrush.archive.OrderHandoff;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import io.ticketrush.stock.GlobalStock.Deletion;
import java.util.ArrayList;
import java.util.List;

/** delete.lua's face: the sale's keys and its waiting room's, and the reply read into a {@link Deletion}. */
final class DeleteScript {

    static final LuaScript SCRIPT = LuaScript.load("delete");

    private static final int DELETED = 1;
    private static final int REPEATED = 2;
    private static final int NO_SUCH_SALE = -404;
    private static final int HANDOFF_LAGS = -409;
    private static final int ID_REUSED = -422;

    private final RedisClient redis;

    DeleteScript(RedisClient redis) {
        this.redis = redis;
    }

    /** Deletes the sale, once for {@code request} when it is not null. */
    Deletion delete(String eventId, RequestId request) {
        List<String> keys = new ArrayList<>(EventKeys.of(eventId).all());
        keys.addAll(QueueKeys.of(eventId).all());
        List<String> args = new ArrayList<>(List.of(OrderHandoff.GROUP));
        if (request != null) {
            keys.add(request.markerKey(eventId));
            args.addAll(List.of(request.fingerprint(), Long.toString(RequestId.KEEP_MILLIS)));
        }
        return decode(redis.evalReplicated(SCRIPT, keys, args));
    }

    static Deletion decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return switch (ScriptReply.code(SCRIPT, reply)) {
            case DELETED -> counts(Deletion.Outcome.DELETED, reply);
            case REPEATED -> counts(Deletion.Outcome.REPEATED, reply);
            case NO_SUCH_SALE -> new Deletion(Deletion.Outcome.NO_SUCH_EVENT, 0, 0, 0, 0);
            case HANDOFF_LAGS ->
                new Deletion(Deletion.Outcome.HANDOFF_LAGS, 0, 0, 0, ScriptReply.number(SCRIPT, reply, 1));
            case ID_REUSED -> new Deletion(Deletion.Outcome.ID_REUSED, 0, 0, 0, 0);
            default -> throw ScriptReply.unexpected(SCRIPT, reply);
        };
    }

    private static Deletion counts(Deletion.Outcome outcome, List<?> reply) {
        return new Deletion(
                outcome,
                ScriptReply.number(SCRIPT, reply, 1),
                ScriptReply.number(SCRIPT, reply, 2),
                ScriptReply.number(SCRIPT, reply, 3),
                0);
    }
}
