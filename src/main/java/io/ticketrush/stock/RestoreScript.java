package io.ticketrush.stock;

import io.ticketrush.archive.ArchivedSale;
import io.ticketrush.model.BuyerKey;
import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import java.util.ArrayList;
import java.util.List;

/** restore.lua: puts back a sale Redis has lost, with its orders still standing, from what PostgreSQL holds. */
public final class RestoreScript {

    private static final LuaScript SCRIPT = LuaScript.load("restore");

    public enum Outcome {
        RESTORED,
        /** Redis has the sale: restoring is never a way to change one on sale. */
        ON_SALE,
        /** The sale was deleted: deleting is not losing, and is not undone by a restore. */
        DELETED
    }

    /** What restore.lua answered: the counts put back and the waiting room's new generation (0 without one). */
    record Reply(Outcome outcome, long reserved, long paid, long queueGen) {}

    private RestoreScript() {}

    /** Keys as open.lua's, without a request marker. */
    static List<String> keys(String eventId) {
        return OpenScript.keys(eventId, null);
    }

    /** The sale's settings, its waiting room's ({@code queue} null: none), then five per order standing. */
    static List<String> arguments(ArchivedSale sale, OpenScript.QueueSetup queue) {
        List<String> args = new ArrayList<>(11 + 5 * sale.orders().size());
        long sequence = 0;
        for (Order order : sale.orders()) {
            sequence = Math.max(sequence, Order.sequenceOf(order.orderId()));
        }
        args.addAll(List.of(
                Long.toString(sale.tickets()),
                Long.toString(sale.holdMillis()),
                Long.toString(sale.gen()),
                Long.toString(sequence)));
        args.addAll(OpenScript.QueueSetup.arguments(queue));
        for (Order order : sale.orders()) {
            args.add(order.orderId());
            args.add(order.status() == OrderStatus.PAID ? "P" : "R");
            args.add(Long.toString(order.expiresAt()));
            args.add(BuyerKey.of(order.userId()));
            args.add(order.userId());
        }
        return args;
    }

    static Reply decode(Object reply) {
        List<?> values = (List<?>) reply;
        long first = (Long) values.get(0);
        if (first == -409 && values.size() == 1) {
            return new Reply(Outcome.ON_SALE, 0, 0, 0);
        }
        if (first == -410 && values.size() == 1) {
            return new Reply(Outcome.DELETED, 0, 0, 0);
        }
        return new Reply(Outcome.RESTORED, first, (Long) values.get(1), (Long) values.get(2));
    }

    static Reply run(RedisClient redis, ArchivedSale sale, OpenScript.QueueSetup queue) {
        return decode(redis.evalReplicated(SCRIPT, keys(sale.eventId()), arguments(sale, queue)));
    }
}
