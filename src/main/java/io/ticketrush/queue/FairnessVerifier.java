package io.ticketrush.queue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.ticketrush.model.PlacesPage;

/**
 * Recomputes a queued sale's order from what {@code GET /queue/{eventId}/fairness} publishes and checks it
 * against the commitment, so that a buyer need trust nothing but this file and the JDK:
 * {@code java -cp target/classes io.ticketrush.queue.FairnessVerifier <baseUrl> <eventId> [--out file]
 * [--commitment hex]}.
 * Exit status 0 when every check passed, 1 when one failed, 2 when it could not check (usage, network, the
 * queue not open yet).
 */
public final class FairnessVerifier {

    static final int VERIFIED = 0;
    static final int MISMATCH = 1;
    static final int CANNOT_CHECK = 2;

    private static final String USAGE = "usage: java -cp target/classes " + FairnessVerifier.class.getName()
            + " <baseUrl> <eventId> [--out file] [--commitment hex]\n"
            + "  fetches <baseUrl>/queue/<eventId>/fairness, checks the seed against its commitment and the\n"
            + "  pre-queue against its digest, and writes the order, one line per position: \"position place\".\n"
            + "  --commitment: the one you saved before opensAt; fails if the service now publishes another.\n"
            + "  exit 0: verified; 1: a check failed; 2: could not check (usage, network, not open yet)";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private FairnessVerifier() {
    }

    /** A frozen pre-queue: its size and the digest of its place hashes. */
    record Frozen(long size, String digest) {
    }

    /** What the service publishes for one event; {@code frozen} and {@code seed} are null until the queue opens. */
    record Published(String eventId, String algorithm, int version, String commitment, Long opensAt, Frozen frozen,
            String seed, List<String> places) {
    }

    /** The order (element i is the place at position i + 1) when every check passed; else the problems found. */
    record Result(long[] order, List<String> problems) {

        boolean verified() {
            return problems.isEmpty();
        }
    }

    /** Checks an opened queue's published record, algorithm included. */
    static Result verify(Published published) {
        List<String> problems = new ArrayList<>();
        if (!QueueOrder.ALGORITHM.equals(published.algorithm()) || published.version() != QueueOrder.VERSION) {
            problems.add("the order is made by " + published.algorithm() + " version " + published.version()
                    + "; this verifier knows " + QueueOrder.ALGORITHM + " version " + QueueOrder.VERSION);
            return new Result(new long[0], problems);
        }
        if (published.frozen() == null || published.seed() == null) {
            problems.add("the queue is not open yet: the pre-queue is not frozen or the seed not revealed");
            return new Result(new long[0], problems);
        }
        return verify(published.commitment(), published.seed(), published.frozen().size(),
                published.frozen().digest(), published.places());
    }

    /**
     * Checks the seed against the commitment and the first {@code size} place hashes against the digest, and
     * recomputes the order.
     */
    static Result verify(String commitment, String seedHex, long size, String digest, List<String> placeHashes) {
        List<String> problems = new ArrayList<>();
        byte[] seed = hexBytes(seedHex, QueueOrder.SEED_BYTES);
        if (seed == null) {
            problems.add("the seed is not " + 2 * QueueOrder.SEED_BYTES + " hex digits: " + seedHex);
        } else if (!QueueOrder.commitment(seed).equalsIgnoreCase(commitment)) {
            problems.add("the seed does not match the commitment: SHA-256 of the seed is "
                    + QueueOrder.commitment(seed) + ", the commitment published is " + commitment);
        }
        if (size < 0 || size > Integer.MAX_VALUE) {
            problems.add("the pre-queue's size is out of range: " + size);
        } else if (placeHashes.size() < size) {
            problems.add("the pre-queue has " + size + " places but only " + placeHashes.size()
                    + " place hashes are published");
        } else {
            List<String> frozen = placeHashes.subList(0, (int) size);
            String actual = QueueOrder.digest(frozen);
            if (!actual.equalsIgnoreCase(digest)) {
                problems.add("the digest of places 1.." + size + " is " + actual + ", the digest published is "
                        + digest);
            }
            findRepeats(frozen, problems);
        }
        if (hexBytes(digest, 32) == null) {
            problems.add("the digest published is not 64 hex digits: " + digest);
        }
        if (!problems.isEmpty()) {
            return new Result(new long[0], problems);
        }
        QueueOrder queueOrder = QueueOrder.of(seed, digest, size);
        long[] order = new long[(int) size];
        for (int i = 0; i < order.length; i++) {
            order[i] = queueOrder.place(i + 1L);
        }
        return new Result(order, problems);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@link #main} without the exit, for tests in any package: the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String baseUrl = null;
        String eventId = null;
        Path outFile = null;
        String saved = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                outFile = Path.of(args[++i]);
            } else if (args[i].equals("--commitment") && i + 1 < args.length) {
                saved = args[++i];
            } else if (args[i].startsWith("-")) {
                err.println(USAGE);
                return CANNOT_CHECK;
            } else if (baseUrl == null) {
                baseUrl = args[i];
            } else if (eventId == null) {
                eventId = args[i];
            } else {
                err.println(USAGE);
                return CANNOT_CHECK;
            }
        }
        if (eventId == null) {
            err.println(USAGE);
            return CANNOT_CHECK;
        }
        try {
            Published published = fetch(baseUrl, eventId);
            if (saved != null && !saved.equalsIgnoreCase(published.commitment())) {
                err.println("event " + eventId + ": MISMATCH: the commitment published now is "
                        + published.commitment() + ", not the one saved before: " + saved);
                return MISMATCH;
            }
            if (published.frozen() == null || published.seed() == null) {
                err.println("event " + eventId + ": cannot check yet: the commitment is " + published.commitment()
                        + "; the pre-queue is frozen and the seed revealed when the queue opens (opensAt "
                        + published.opensAt() + ")");
                return CANNOT_CHECK;
            }
            Result result = verify(published);
            if (!result.verified()) {
                for (String problem : result.problems()) {
                    err.println("event " + eventId + ": MISMATCH: " + problem);
                }
                return MISMATCH;
            }
            String summary = "event " + eventId + ": verified " + QueueOrder.ALGORITHM + " version "
                    + QueueOrder.VERSION + ": " + result.order().length + " places in the pre-queue, the seed matches"
                    + " the commitment " + published.commitment() + ", places 1.." + result.order().length
                    + " match the digest " + published.frozen().digest();
            if (outFile == null) {
                out.println(summary);
                writeOrder(result.order(), new PrintWriter(out, false, StandardCharsets.UTF_8));
            } else {
                try (Writer writer = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8)) {
                    writeOrder(result.order(), writer);
                }
                out.println(summary + "; order written to " + outFile);
            }
            return VERIFIED;
        } catch (IOException | IllegalArgumentException e) {
            err.println("event " + eventId + ": cannot check: " + e.getMessage());
            return CANNOT_CHECK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("event " + eventId + ": interrupted");
            return CANNOT_CHECK;
        }
    }

    /** One line per position, "position place", position 1 first. */
    private static void writeOrder(long[] order, Writer writer) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < order.length; i++) {
            line.setLength(0);
            writer.append(line.append(i + 1).append(' ').append(order[i]).append('\n'));
        }
        writer.flush();
    }

    /** The event's record from {@code /fairness}, with every place hash of the frozen pre-queue, page by page. */
    static Published fetch(String baseUrl, String eventId) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        String url = baseUrl.replaceAll("/+$", "") + "/queue/" + eventId + "/fairness";
        Map<String, Object> data = get(client, url);
        Published record = published(data, List.of());
        if (record.frozen() == null) {
            return record;
        }
        List<String> places = new ArrayList<>();
        long size = record.frozen().size();
        while (places.size() < size) {
            long from = places.size() + 1L;
            Object page = get(client, url + "?from=" + from + "&count=" + PlacesPage.MAX_COUNT).get("places");
            if (!(page instanceof List<?> hashes)) {
                throw new IOException(url + "?from=" + from + " answered no \"places\" list");
            }
            for (Object hash : hashes) {
                places.add(String.valueOf(hash));
            }
            if (hashes.size() < PlacesPage.MAX_COUNT) {
                break;
            }
        }
        return published(data, places);
    }

    private static Map<String, Object> get(HttpClient client, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // A refused connection says nothing but its class.
            throw new IOException("GET " + url + ": " + (e.getMessage() == null ? e : e.getMessage()), e);
        }
        Object body;
        try {
            body = new Json(response.body()).value();
        } catch (IllegalArgumentException e) {
            throw new IOException("GET " + url + ": HTTP " + response.statusCode() + ", not JSON: " + e.getMessage());
        }
        Map<String, Object> envelope = object(body, "the answer");
        if (response.statusCode() != 200 || !Long.valueOf(1).equals(envelope.get("code"))) {
            throw new IOException("GET " + url + ": HTTP " + response.statusCode() + ", code " + envelope.get("code")
                    + ": " + envelope.get("msg"));
        }
        return object(envelope.get("data"), "data");
    }

    private static Published published(Map<String, Object> data, List<String> places) throws IOException {
        Frozen frozen = null;
        if (data.get("frozen") != null) {
            Map<String, Object> f = object(data.get("frozen"), "frozen");
            frozen = new Frozen(number(f.get("size"), "frozen.size"), text(f.get("digest"), "frozen.digest"));
        }
        Object opensAt = data.get("opensAt");
        return new Published(text(data.get("eventId"), "eventId"), text(data.get("algorithm"), "algorithm"),
                (int) number(data.get("version"), "version"), text(data.get("commitment"), "commitment"),
                opensAt == null ? null : number(opensAt, "opensAt"), frozen,
                data.get("seed") == null ? null : text(data.get("seed"), "seed"), places);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String name) throws IOException {
        if (value instanceof Map<?, ?>) {
            return (Map<String, Object>) value;
        }
        throw new IOException(name + " is not a JSON object: " + value);
    }

    private static String text(Object value, String name) throws IOException {
        if (value instanceof String s) {
            return s;
        }
        throw new IOException(name + " is not a string: " + value);
    }

    private static long number(Object value, String name) throws IOException {
        if (value instanceof Long n) {
            return n;
        }
        throw new IOException(name + " is not a whole number: " + value);
    }

    /** Bytes of exactly {@code length} from hex, or null. */
    private static byte[] hexBytes(String hex, int length) {
        if (hex == null || hex.length() != 2 * length) {
            return null;
        }
        try {
            return QueueOrder.hex(hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One buyer has one place: the same place hash twice means someone got two. */
    private static void findRepeats(List<String> hashes, List<String> problems) {
        Map<String, Integer> firstPlace = new HashMap<>();
        for (int i = 0; i < hashes.size(); i++) {
            Integer earlier = firstPlace.putIfAbsent(hashes.get(i).toLowerCase(Locale.ROOT), i + 1);
            if (earlier != null) {
                problems.add("place " + (i + 1) + " has the same place hash as place " + earlier + ": "
                        + hashes.get(i));
            }
        }
    }

    /**
     * Just enough JSON for the service's answers, so that the verifier runs on a bare JDK: objects, arrays,
     * strings, whole numbers (as Long; others as BigDecimal), true, false and null.
     */
    static final class Json {

        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        /** The one value the text holds; IllegalArgumentException naming the offset where it is not JSON. */
        Object value() {
            Object value = next();
            skipSpace();
            if (at != text.length()) {
                throw error("text after the value");
            }
            return value;
        }

        private Object next() {
            skipSpace();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            return switch (text.charAt(at)) {
                case '{' -> objectValue();
                case '[' -> arrayValue();
                case '"' -> stringValue();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> numberValue();
            };
        }

        private Map<String, Object> objectValue() {
            Map<String, Object> object = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                return object;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a name");
                }
                String name = stringValue();
                skipSpace();
                expect(':');
                object.put(name, next());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    return object;
                }
            }
        }

        private List<Object> arrayValue() {
            List<Object> array = new ArrayList<>();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                return array;
            }
            while (true) {
                array.add(next());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    return array;
                }
            }
        }

        private String stringValue() {
            StringBuilder s = new StringBuilder();
            at++;
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return s.toString();
                }
                if (c != '\\') {
                    s.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> s.append(e);
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Object numberValue() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            if (number.isEmpty()) {
                throw error("unexpected character '" + text.charAt(at) + "'");
            }
            try {
                BigDecimal value = new BigDecimal(number);
                try {
                    return value.longValueExact();
                } catch (ArithmeticException notWhole) {
                    return value;
                }
            } catch (NumberFormatException e) {
                throw error("bad number " + number);
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error("unexpected character '" + text.charAt(at) + "'");
            }
            at += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private void skipSpace() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private IllegalArgumentException error(String problem) {
            return new IllegalArgumentException(problem + " at offset " + at);
        }
    }
}
