package io.ticketrush.fairness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ticketrush.fairness.DrawCheck.Result;
import io.ticketrush.fairness.Published.Frozen;
import io.ticketrush.model.PlacesPage;
import io.ticketrush.queue.QueueDraw;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier accepts an honest record and names every lie: a seed that is not the one committed to, a digest
 * or size that does not match the places, a place list changed after the freeze, one buyer holding two places.
 * The end-to-end tests serve {@code /fairness} from the JDK's own HTTP server, so no ticketrush server is needed.
 */
class FairnessVerifierTest {

    private static final int SIZE = 1000;
    /** Joined after the freeze: published, but outside the shuffle. */
    private static final int LATE = 200;

    private final SplittableRandom random = new SplittableRandom(42);
    private final byte[] seed = bytes(QueueDraw.SEED_BYTES);
    private final String commitment = QueueDraw.commitment(seed);
    private final List<String> places = placeHashes(SIZE + LATE);
    private final String digest = QueueDraw.digest(places.subList(0, SIZE));
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void acceptsAnHonestRecordAndRecomputesTheOrder() {
        Result result = DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE, digest, places);

        assertEquals(List.of(), result.problems());
        QueueDraw draw = QueueDraw.of(seed, digest, SIZE);
        assertEquals(SIZE, result.order().length);
        for (int position = 1; position <= SIZE; position++) {
            long place = result.order()[position - 1];
            assertEquals(position, draw.position(place), "place " + place);
        }
    }

    @Test
    void acceptsAnEmptyPreQueue() {
        Result result = DrawCheck.verify(commitment, QueueDraw.hex(seed), 0, QueueDraw.digest(List.of()), places);

        assertTrue(result.verified(), result.problems().toString());
        assertEquals(0, result.order().length);
    }

    @Test
    void rejectsASeedThatIsNotTheOneCommittedTo() {
        byte[] other = seed.clone();
        other[0] ^= 1;

        Result result = DrawCheck.verify(commitment, QueueDraw.hex(other), SIZE, digest, places);

        assertProblem(result, "the seed does not match the commitment");
        assertProblem(DrawCheck.verify(commitment, "abc", SIZE, digest, places), "not 64 hex digits");
    }

    @Test
    void rejectsADigestThatIsNotThePlaces() {
        String other = QueueDraw.digest(places.subList(1, SIZE + 1));

        assertProblem(
                DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE, other, places),
                "the digest of places 1..1000 is " + digest);
    }

    @Test
    void rejectsAPlaceListChangedAfterTheFreeze() {
        List<String> swapped = new ArrayList<>(places);
        Collections.swap(swapped, 10, 500);
        List<String> replaced = new ArrayList<>(places);
        replaced.set(SIZE - 1, placeHashes(1).get(0));
        List<String> dropped = new ArrayList<>(places);
        dropped.remove(3);

        for (List<String> tampered : List.of(swapped, replaced, dropped)) {
            assertProblem(
                    DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE, digest, tampered),
                    "the digest of places 1..1000 is");
        }
    }

    @Test
    void ignoresPlacesJoinedAfterTheFreeze() {
        List<String> more = new ArrayList<>(places);
        more.addAll(placeHashes(10));

        Result result = DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE, digest, more);

        assertArrayEquals(
                DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE, digest, places)
                        .order(),
                result.order());
    }

    @Test
    void rejectsASizeThatIsNotThePreQueues() {
        assertProblem(
                DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE - 1, digest, places),
                "the digest of places 1..999 is");
        assertProblem(
                DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE + 1, digest, places),
                "the digest of places 1..1001 is");
        assertProblem(
                DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE + LATE + 1, digest, places),
                "the pre-queue has 1201 places but only 1200 place hashes are published");
    }

    @Test
    void rejectsOneBuyerHoldingTwoPlaces() {
        List<String> twice = new ArrayList<>(places.subList(0, SIZE));
        twice.set(700, twice.get(20));

        Result result = DrawCheck.verify(commitment, QueueDraw.hex(seed), SIZE, QueueDraw.digest(twice), twice);

        assertProblem(result, "place 701 has the same place hash as place 21");
    }

    @Test
    void rejectsAnAlgorithmItDoesNotKnow() {
        Published published = new Published(
                "e", "feistel-hmac-sha256", 2, commitment, 0L, new Frozen(SIZE, digest), QueueDraw.hex(seed), places);

        assertProblem(DrawCheck.verify(published), "this verifier knows feistel-hmac-sha256 version 1");
    }

    @Test
    void fetchesEveryPageAndWritesTheOrder(@TempDir Path dir) throws IOException {
        List<String> many = placeHashes(25_000);
        String manyDigest = QueueDraw.digest(many.subList(0, 23_456));
        serve("big", record("big", 23_456, manyDigest, QueueDraw.hex(seed)), many);
        Path out = dir.resolve("order.txt");

        Run run = run(baseUrl(), "big", "--out", out.toString());

        assertEquals(FairnessVerifier.VERIFIED, run.status(), run.err());
        assertTrue(run.out().startsWith("event big: verified feistel-hmac-sha256 version 1: 23456 places"), run.out());
        List<String> lines = Files.readAllLines(out);
        assertEquals(23_456, lines.size());
        QueueDraw draw = QueueDraw.of(seed, manyDigest, 23_456);
        assertEquals("1 " + draw.place(1), lines.get(0));
        assertEquals("23456 " + draw.place(23_456), lines.get(23_455));
    }

    @Test
    void printsTheOrderAfterTheSummaryWithoutAnOutFile() throws IOException {
        serve("e1", record("e1", SIZE, digest, QueueDraw.hex(seed)), places);

        Run run = run(baseUrl() + "/", "e1");

        assertEquals(FairnessVerifier.VERIFIED, run.status(), run.err());
        List<String> lines = run.out().lines().collect(Collectors.toList());
        assertEquals(SIZE + 1, lines.size());
        assertEquals("1 " + QueueDraw.of(seed, digest, SIZE).place(1), lines.get(1));
    }

    @Test
    void exitsWithOneWhenTheServiceLies() throws IOException {
        byte[] other = bytes(QueueDraw.SEED_BYTES);
        serve("e1", record("e1", SIZE, digest, QueueDraw.hex(other)), places);

        Run run = run(baseUrl(), "e1");

        assertEquals(FairnessVerifier.MISMATCH, run.status());
        assertTrue(run.err().contains("MISMATCH: the seed does not match the commitment"), run.err());
    }

    @Test
    void exitsWithOneWhenTheCommitmentChangedSinceItWasSaved() throws IOException {
        serve("e1", record("e1", SIZE, digest, QueueDraw.hex(seed)), places);
        String saved = QueueDraw.commitment(bytes(QueueDraw.SEED_BYTES));

        Run run = run(baseUrl(), "e1", "--commitment", saved);

        assertEquals(FairnessVerifier.MISMATCH, run.status());
        assertTrue(run.err().contains("not the one saved before: " + saved), run.err());
        assertEquals(
                FairnessVerifier.VERIFIED,
                run(baseUrl(), "e1", "--commitment", commitment).status());
    }

    @Test
    void exitsWithTwoBeforeTheQueueOpens() throws IOException {
        serve("e1", record("e1", -1, null, null), places);

        Run run = run(baseUrl(), "e1");

        assertEquals(FairnessVerifier.CANNOT_CHECK, run.status());
        assertTrue(run.err().contains("cannot check yet: the commitment is " + commitment), run.err());
    }

    @Test
    void exitsWithTwoOnBadUsageOrAnUnknownEvent() throws IOException {
        serve("e1", record("e1", SIZE, digest, QueueDraw.hex(seed)), places);

        assertEquals(FairnessVerifier.CANNOT_CHECK, run(baseUrl()).status());
        assertEquals(
                FairnessVerifier.CANNOT_CHECK, run(baseUrl(), "e1", "--verbose").status());
        Run unknown = run(baseUrl(), "nope");
        assertEquals(FairnessVerifier.CANNOT_CHECK, unknown.status());
        assertTrue(unknown.err().contains("HTTP 404, code -404: no queue"), unknown.err());
    }

    @Test
    void exitsWithTwoWhenTheRecordHasAFieldOfTheWrongKind() throws IOException {
        serve("e1", "\"eventId\":\"e1\",\"algorithm\":\"feistel-hmac-sha256\",\"version\":1.5", places);

        Run notWhole = run(baseUrl(), "e1");
        assertEquals(FairnessVerifier.CANNOT_CHECK, notWhole.status());
        assertTrue(notWhole.err().contains("cannot check: version is not a whole number: 1.5"), notWhole.err());
    }

    @Test
    void exitsWithTwoWhenTheAnswerIsNotJson() throws IOException {
        serve("e1", "\"eventId\":\"e1\",}", places);

        Run notJson = run(baseUrl(), "e1");
        assertEquals(FairnessVerifier.CANNOT_CHECK, notJson.status());
        assertTrue(notJson.err().contains(": HTTP 200, not JSON: "), notJson.err());
    }

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = FairnessVerifier.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Serves {@code /queue/<eventId>/fairness} as the service would: {@code record} is the data's fields in
     * JSON; {@code ?from=F&count=C} adds the place hashes F..F+C-1 (C at most 10,000). Anything else is 404.
     */
    private void serve(String eventId, String record, List<String> placeHashes) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            int status = 200;
            String body;
            if (!path.equals("/queue/" + eventId + "/fairness")) {
                status = 404;
                body = "{\"code\":-404,\"msg\":\"no queue\",\"data\":null}";
            } else if (query == null) {
                body = "{\"code\":1,\"msg\":\"ok\",\"data\":{" + record + "}}";
            } else {
                Map<String, Integer> q = Arrays.stream(query.split("&"))
                        .map(p -> p.split("="))
                        .collect(Collectors.toMap(p -> p[0], p -> Integer.parseInt(p[1])));
                int from = q.get("from");
                int count = Math.min(q.get("count"), PlacesPage.MAX_COUNT);
                List<String> page = placeHashes.subList(
                        Math.min(from - 1, placeHashes.size()), Math.min(from - 1 + count, placeHashes.size()));
                body = "{\"code\":1,\"msg\":\"ok\",\"data\":{" + record + ",\"places\":["
                        + page.stream().map(h -> "\"" + h + "\"").collect(Collectors.joining(",")) + "]}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The data fields of /fairness; size below 0 means not frozen yet. */
    private String record(String eventId, long size, String frozenDigest, String seedHex) {
        String frozen = size < 0 ? "null" : "{\"size\":" + size + ",\"digest\":\"" + frozenDigest + "\"}";
        return "\"eventId\":\"" + eventId + "\",\"algorithm\":\"feistel-hmac-sha256\",\"version\":1,"
                + "\"commitment\":\"" + commitment + "\",\"opensAt\":1795869571703,\"frozen\":" + frozen
                + ",\"seed\":" + (seedHex == null ? "null" : "\"" + seedHex + "\"");
    }

    private static void assertProblem(Result result, String expected) {
        assertFalse(result.verified(), "no problem found, expected: " + expected);
        assertEquals(0, result.order().length, "no order when a check fails");
        assertTrue(
                result.problems().stream().anyMatch(p -> p.contains(expected)),
                "expected a problem containing \"" + expected + "\", got " + result.problems());
    }

    private List<String> placeHashes(int count) {
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            hashes.add(QueueDraw.hex(bytes(16)));
        }
        return hashes;
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
