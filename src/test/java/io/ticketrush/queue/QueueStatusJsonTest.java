package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Both public shapes of the queue status, field for field as docs/api.md shows them. */
class QueueStatusJsonTest {

    private static final String COMMITMENT = "62d748d09b8e1728e4819db3d204aed73a16968d8d6ada7eafde6f118f99bca1";

    @Test
    void writesTheSharedStateAsDocumented() {
        QueueStatus status = new QueueStatus(
                "concert",
                7,
                1796225271945L,
                1,
                30_000,
                1.0,
                false,
                3,
                3,
                "d",
                2,
                0,
                0,
                0.0,
                COMMITMENT,
                "5e",
                2,
                0,
                0,
                1796225274665L,
                0);

        assertEquals(
                "{\"eventId\":\"concert\",\"state\":\"WAITING\",\"opensAt\":1796225271945,\"now\":1796225274665,"
                        + "\"frozen\":3,\"joined\":3,\"reach\":2,\"admitPerSecond\":1,\"measuredRate\":0.0,\"admitWindowSeconds\":30,"
                        + "\"proofOfWork\":0,\"tickets\":2,\"available\":2,\"reserved\":0,\"paused\":false,\"awaitingReturns\":false,"
                        + "\"soldOut\":false}",
                json(QueueStatusJson::writeShared, status));
    }

    @Test
    void writesTheLedgerAsDocumentedWithReachAsAdmitted() {
        QueueStatus status = new QueueStatus(
                "concert",
                7,
                1796225271945L,
                1,
                30_000,
                1.0,
                true,
                4,
                3,
                "d",
                2,
                0,
                0,
                0.0,
                COMMITMENT,
                "5e",
                2,
                0,
                0,
                1796225274665L,
                0);

        assertEquals(
                "{\"queue\":{\"state\":\"PAUSED\",\"opensAt\":1796225271945,\"admitPerSecond\":1,"
                        + "\"admitWindowSeconds\":30,\"overbook\":1.0,\"proofOfWork\":0,\"paused\":true,\"commitment\":\""
                        + COMMITMENT + "\",\"joined\":4,\"waiting\":2,\"admitted\":2,\"admittedUnused\":2,\"bought\":0,"
                        + "\"lapsed\":0,\"toldSoldOut\":0,\"measuredRate\":0.0,\"frozen\":3}}",
                json(QueueStatusJson::writeLedger, status));
    }

    @Test
    void writesFrozenAsNullBeforeTheOpening() {
        QueueStatus status = new QueueStatus(
                "concert",
                7,
                1796225271945L,
                1,
                30_000,
                1.0,
                false,
                3,
                -1,
                null,
                0,
                0,
                0,
                0.0,
                COMMITMENT,
                "5e",
                2,
                0,
                0,
                1796225262739L,
                0);

        String shared = json(QueueStatusJson::writeShared, status);
        assertEquals(true, shared.contains("\"state\":\"PRE_QUEUE\"") && shared.contains("\"frozen\":null"), shared);
        assertEquals(true, json(QueueStatusJson::writeLedger, status).endsWith("\"frozen\":null}}"));
    }

    private static String json(BiConsumer<JsonGenerator, QueueStatus> writer, QueueStatus status) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = Json.createGenerator(out)) {
            json.writeStartObject();
            writer.accept(json, status);
            json.writeEnd();
        }
        return out.toString();
    }
}
