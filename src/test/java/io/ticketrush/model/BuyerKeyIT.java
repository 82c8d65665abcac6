package io.ticketrush.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.RedisClients;
import io.ticketrush.testsupport.SharedServers;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * sweep.lua finds a buyer by its own copy of the buyer-key rule ({@code string.lower}); on a real Redis it must
 * find every buyer under the key {@link BuyerKey} gave them, or an expired buyer could never buy again.
 */
class BuyerKeyIT {

    private static final List<String> USER_IDS =
            List.of("alice", "Alice.B", "BOB@EXAMPLE.COM", "o:Mixed-Case_9", "digest:0AbC", "x".repeat(63) + "Z");

    @Test
    void sweepFreesEveryBuyerUnderTheKeyJavaGaveThem() {
        EventKeys keys = EventKeys.of("buyer-key-" + UUID.randomUUID());
        RedisClient redis = RedisClients.connectedTo(SharedServers.server().port());
        try (Jedis jedis = SharedServers.server().client()) {
            // Reservations as reserve.lua leaves them, each hold long run out; no hand-off (no stream).
            jedis.hset(
                    keys.stock(),
                    Map.of(
                            "gen",
                            "1",
                            "handoff",
                            "0",
                            "tickets",
                            Integer.toString(USER_IDS.size()),
                            "reserved",
                            Integer.toString(USER_IDS.size()),
                            "paid",
                            "0",
                            "holdMs",
                            "60000"));
            for (int i = 0; i < USER_IDS.size(); i++) {
                String orderId = "order-" + i;
                jedis.hset(keys.orders(), orderId, "R|1|" + USER_IDS.get(i));
                jedis.zadd(keys.expiry(), 1, orderId);
                jedis.hset(keys.buyers(), BuyerKey.of(USER_IDS.get(i)), orderId);
            }

            List<?> reply = (List<?>) redis.eval(LuaScript.load("sweep"), keys.all(), List.of("1000", "orders"));

            assertEquals((long) USER_IDS.size(), reply.get(0), "every hold expired");
            assertEquals(Map.of(), jedis.hgetAll(keys.buyers()), "each buyer freed under the key Java gave them");
            jedis.del(keys.stock(), keys.orders(), keys.expiry(), keys.buyers());
        } finally {
            RedisClients.close(redis);
        }
    }
}
