package io.ticketrush.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedServers;
import io.ticketrush.testsupport.SingleInstanceIT;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Without Redis an instance answers 503 quickly and reports not-ready; it recovers by itself. */
class RedisOutageIT extends SingleInstanceIT {

    @AfterEach
    void redisIsBack() {
        SharedServers.server().restartIfStopped();
    }

    @Test
    void answersServiceUnavailableWhileRedisIsDownAndRecoversAfter() {
        String event = Deployments.newEventId("outage");
        api.openSale(event, 10, 300);
        assertEquals(1, api.buy(event, "before").code());
        // Ready once the order database has been tried, which a just-deployed instance may still be doing.
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(200, api.get("health/ready").status()));

        SharedServers.server().stop();

        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            Api.Answer answer = api.buy(event, "during-" + i);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, answer.status(), answer.body());
            assertEquals(-503, answer.code());
            assertEquals("1", answer.header("Retry-After"));
            assertTrue(millis < 1000, "answered within 1 s, took " + millis + " ms");
        }
        assertEquals(503, api.get("orders/" + event + "-1-abcdef").status());
        assertEquals(503, api.eventStatus(event).status());
        Api.Answer health = api.get("health/ready");
        assertEquals(503, health.status());
        assertTrue(health.body().contains("DOWN"), health.body());

        // This Redis keeps nothing on disk, so the sale comes back empty and is opened again.
        SharedServers.server().restart();

        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(200, api.get("health/ready").status()));
        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(404, api.eventStatus(event).status(), "Redis answers, sale lost"));
        assertEquals(200, api.openSale(event, 10, 300).status());
        await().atMost(Duration.ofSeconds(2))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(api.localPermits(event) > 0, "the share re-opened"));
        assertEquals(1, api.buy(event, "after").code());
        assertEquals(9, api.eventStatus(event).data().getInt("available"));
    }

    @Test
    void answersServiceUnavailableNotNoSuchEventWhenRedisHasLostASaleOnSale() {
        String event = Deployments.newEventId("lost");
        api.openSale(event, 10, 300);
        assertEquals(1, api.buy(event, "before").code());

        // What a failover onto a server without the data looks like from here: the sale is gone from Redis.
        try (Jedis redis = SharedServers.server().client()) {
            redis.del(EventKeys.of(event).stock());
        }

        Api.Answer answer = api.buy(event, "during");
        assertEquals(503, answer.status(), "this instance sold the event: it exists, Redis lost it; " + answer.body());
        assertEquals(-503, answer.code());
        assertEquals(
                404, api.buy(Deployments.newEventId("never-opened"), "during").status(), "unlike an event never seen");

        assertEquals(200, api.openSale(event, 10, 300).status());
        await().atMost(Duration.ofSeconds(2))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(api.localPermits(event) > 0, "the share re-opened"));
        assertEquals(1, api.buy(event, "after").code());
    }
}
