package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.ManyConnections;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The answer every buyer of a sold-out sale gets is given by nginx itself: kept for the rest of the second Redis said
 * it in, never for a retry, a resend or an admitted buyer; a ticket that comes back sells again, and a reset sale is
 * never answered from the old one's.
 */
@ExtendWith(SharedCluster.class)
class SharedSoldOutIT {

    /** What nginx says of an answer it gave from its cache: kept, or kept and being asked for again. */
    private static final Set<String> FROM_CACHE = Set.of("HIT", "UPDATING");

    private static final int CONNECTIONS = 2_000;
    private static final int REQUESTS_PER_CONNECTION = 3;

    @Test
    void answersASoldOutCrowdFromNginxButNeverARetry(Cluster cluster) throws IOException {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("shared");
        assertEquals(200, api.openSale(event, 1, 300).status());
        String orderId = api.buy(event, "holder").data().getString("orderId");
        long logStart = Files.size(accessLog(cluster));

        List<Supplier<Api.Answer>> crowd = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String buyer = "late-" + i;
            crowd.add(() -> api.buy(event, buyer));
        }
        List<Api.Answer> answers = Crowd.run(crowd, 40);

        int fromCache = 0;
        for (Api.Answer answer : answers) {
            assertEquals(200, answer.status(), answer.body());
            assertEquals(-1, answer.code(), answer.body());
            if (FROM_CACHE.contains(answer.header("X-Cache-Status"))) {
                fromCache++;
            }
        }
        assertTrue(fromCache >= answers.size() / 2, "most of the crowd answered by nginx: " + fromCache);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(
                        logSince(cluster, logStart)
                                .contains("\"POST /buy/ticket HTTP/1.1\" 200 40 upstream=- upstream_status=- "),
                        "nginx's log has purchases it answered itself"));

        Api.Answer retried = api.buyAgain(event, "holder");
        assertEquals(-2, retried.code(), "a retry is answered by an instance: the holder's order, not 'sold out'");
        assertEquals(orderId, retried.data().getString("orderId"));
        assertEquals("BYPASS", retried.header("X-Cache-Status"));
        Api.Answer retriedByOther = api.buyAgain(event, "late-1");
        assertEquals(-1, retriedByOther.code());
        assertEquals("BYPASS", retriedByOther.header("X-Cache-Status"));
        Api.Answer resent = api.send(api.postRequest("buy/ticket", Map.of("userId", "holder", "eventId", event))
                .header("X-Ticketrush-Retry", "true"));
        assertEquals(-2, resent.code(), "nginx's own resend of a lost purchase is never answered from its cache");
        assertEquals("BYPASS", resent.header("X-Cache-Status"));
        Api.Answer admitted = api.post("buy/ticket", Map.of("userId", "late-2", "eventId", event, "admission", "x.y"));
        assertEquals("BYPASS", admitted.header("X-Cache-Status"), "a purchase with an admission is an instance's");
        Api.Answer spoofed =
                api.send(api.postRequest("buy/ticket", Map.of("userId", "holder", "eventId", event, "retry", "true"))
                        .header("X-Ticketrush-Shared", event));
        assertEquals(-2, spoofed.code(), "a client cannot make its retry shared");

        JsonObject status = api.eventStatus(event).data();
        assertEquals(1, status.getInt("reserved"), "nothing but the one ticket sold");
    }

    @Test
    void sellsATicketThatComesBackWithinAboutASecond(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("comes-back");
        assertEquals(200, api.openSale(event, 1, 1).status());
        assertEquals(1, api.buy(event, "first").code());
        buyersUntil(api, event, "early-", answer -> FROM_CACHE.contains(answer.header("X-Cache-Status")));

        // The one-second hold runs out, the sweeper returns the ticket, the shared answer runs out: a buyer gets it.
        buyersUntil(api, event, "next-", answer -> answer.code() == 1);

        JsonObject status = api.eventStatus(event).data();
        assertEquals(1, status.getInt("reserved"), "the ticket that came back, sold once");
        assertEquals(0, status.getInt("available"));
    }

    @Test
    void neverAnswersAResetSaleFromTheOldSalesAnswer(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("reset");
        assertEquals(200, api.openSale(event, 1, 300).status());
        assertEquals(1, api.buy(event, "first").code());
        buyersUntil(api, event, "early-", answer -> FROM_CACHE.contains(answer.header("X-Cache-Status")));
        List<Supplier<Api.Answer>> hammering = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String buyer = "crowd-" + i;
            hammering.add(() -> api.buy(event, buyer));
        }
        Crowd.run(hammering, 10);

        assertEquals(200, api.openSale(event, 5, 300).status());

        for (int i = 0; i < 5; i++) {
            Api.Answer answer = api.buy(event, "after-" + i);
            assertEquals(
                    1,
                    answer.code(),
                    "the new sale has tickets: " + answer.body() + " " + answer.header("X-Cache-Status"));
        }
        assertEquals(-1, api.buy(event, "after-5").code(), "and sells exactly them");
        assertEquals(5, api.eventStatus(event).data().getInt("reserved"));
    }

    @Test
    void answersTwoThousandConnectionsAtOnceOnTheSoldOutPathEachInJson(Cluster cluster) throws IOException {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("crowd");
        assertEquals(200, api.openSale(event, 0, 300).status());
        Path errorLog = cluster.runDir().resolve("nginx").resolve("error.log");
        long errorsBefore = Files.exists(errorLog) ? Files.size(errorLog) : 0;
        String request = "POST /buy/ticket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s";

        List<ManyConnections.Response> responses = ManyConnections.exchange(
                api.base().getPort(), CONNECTIONS, REQUESTS_PER_CONNECTION, (connection, i) -> {
                    String body = "userId=c" + connection + "-" + i + "&eventId=" + event;
                    return String.format(request, body.length(), body);
                });

        assertEquals(CONNECTIONS * REQUESTS_PER_CONNECTION, responses.size(), "every request answered");
        Map<String, Integer> byStatus = new TreeMap<>();
        for (ManyConnections.Response response : responses) {
            byStatus.merge(response.status() + " " + codeOf(response.body()), 1, Integer::sum);
        }
        assertEquals(
                Map.of("200 -1", CONNECTIONS * REQUESTS_PER_CONNECTION),
                byStatus,
                "every answer a 2xx JSON 'sold out'");
        String errors = Files.exists(errorLog)
                ? Files.readString(errorLog, StandardCharsets.UTF_8).substring((int) errorsBefore)
                : "";
        assertFalse(errors.contains("worker_connections are not enough"), errors);
        assertFalse(errors.contains("Too many open files"), errors);
    }

    private static int codeOf(String body) {
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject().getInt("code");
        } catch (RuntimeException e) {
            return Integer.MIN_VALUE;
        }
    }

    private static Path accessLog(Cluster cluster) {
        return cluster.runDir().resolve("nginx").resolve("access.log");
    }

    private static String logSince(Cluster cluster, long offset) {
        try {
            byte[] log = Files.readAllBytes(accessLog(cluster));
            return new String(
                    log,
                    (int) Math.min(offset, log.length),
                    (int) Math.max(0, log.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Buyers one after another, each once, until an answer is {@code wanted}; every answer before it must be sold
     * out or busy (ask again), the only things the sale has to say meanwhile. The answer wanted.
     */
    private static Api.Answer buyersUntil(Api api, String event, String prefix, Predicate<Api.Answer> wanted) {
        List<String> answers = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int i = 0; ; i++) {
            Api.Answer answer = api.buy(event, prefix + i);
            answers.add(answer.code() + "/" + answer.header("X-Cache-Status"));
            if (wanted.test(answer)) {
                return answer;
            }
            assertTrue(
                    answer.code() == -1 || answer.status() == 503 && answer.code() == -3,
                    "sold out or busy meanwhile; answers so far: " + answers);
            assertTrue(System.nanoTime() < deadline, "not yet after 10 s; answers so far: " + answers);
            Pause.of(Duration.ofMillis(50));
        }
    }
}
