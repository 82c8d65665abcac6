package io.ticketrush.testsupport;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/** A small HTTP client for the ticketrush contract, used by every black-box test. */
public final class Api {

    /** How often {@link #buyPastBusy} asks again: each busy answer took the instance's permit wait (500 ms). */
    private static final int BUSY_ATTEMPTS = 10;

    public static final String ADMIN_TOKEN = "it-admin-token";
    /** The waiting room's signing key of every test instance (arquillian.xml, PayaraInstance). */
    public static final String QUEUE_SECRET = "it-queue-secret-shared-by-tests";

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final URI base;
    private final HttpClient http;

    public Api(URI base) {
        this.base = base;
        // HTTP/1.1 as nginx and the load tests speak it; the default would try an h2c upgrade first.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** An API on {@code 127.0.0.1:port}, whatever address the server reported. */
    public static Api onPort(int port) {
        return new Api(URI.create("http://127.0.0.1:" + port + "/"));
    }

    public URI base() {
        return base;
    }

    public Answer buy(String userId) {
        return post("buy/ticket", Map.of("userId", userId));
    }

    public Answer buy(String eventId, String userId) {
        return post("buy/ticket", Map.of("userId", userId, "eventId", eventId));
    }

    /**
     * A purchase sent again while it is answered "busy, try again" (503, code -3: the share was empty and Redis had
     * not yet said the sale is sold out), as the API tells buyers to: what a buyer is finally told.
     */
    public Answer buyPastBusy(String eventId, String userId) {
        Answer answer = buy(eventId, userId);
        for (int attempt = 0; attempt < BUSY_ATTEMPTS && answer.status() == 503 && answer.code() == -3; attempt++) {
            answer = buy(eventId, userId);
        }
        return answer;
    }

    /** A purchase repeated because an earlier attempt went unanswered: a holder gets the order back even then. */
    public Answer buyAgain(String eventId, String userId) {
        return post("buy/ticket", Map.of("userId", userId, "eventId", eventId, "retry", "true"));
    }

    public Answer post(String path, Map<String, String> form) {
        return send(postRequest(path, form));
    }

    /** A form POST to add headers to before {@link #send}. */
    public HttpRequest.Builder postRequest(String path, Map<String, String> form) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public Answer pay(String orderId) {
        return send(HttpRequest.newBuilder(base.resolve("orders/" + orderId + "/pay"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    public Answer openSale(String eventId, long tickets, long holdSeconds) {
        return admin("PUT", eventId, "{\"tickets\":" + tickets + ",\"holdSeconds\":" + holdSeconds + "}", ADMIN_TOKEN);
    }

    public Answer eventStatus(String eventId) {
        return admin("GET", eventId, null, ADMIN_TOKEN);
    }

    /**
     * Opens (or resets) a sale with a waiting room: joining opens at once, admission at {@code opensAt} (epoch
     * ms), {@code admitPerSecond} places a second, each admission valid for {@code windowSeconds}.
     */
    public Answer openQueuedSale(
            String eventId, long tickets, long holdSeconds, long opensAt, long admitPerSecond, long windowSeconds) {
        return admin(
                "PUT",
                eventId,
                "{\"tickets\":" + tickets + ",\"holdSeconds\":" + holdSeconds
                        + ",\"queue\":{\"opensAt\":" + opensAt + ",\"admitPerSecond\":" + admitPerSecond
                        + ",\"admitWindowSeconds\":" + windowSeconds + "}}",
                ADMIN_TOKEN);
    }

    /**
     * As {@link #openQueuedSale(String, long, long, long, long, long)}, each join costing a proof of work of
     * {@code proofOfWork} (ALTCHA's maxnumber).
     */
    public Answer openQueuedSale(
            String eventId,
            long tickets,
            long holdSeconds,
            long opensAt,
            long admitPerSecond,
            long windowSeconds,
            long proofOfWork) {
        return admin(
                "PUT",
                eventId,
                "{\"tickets\":" + tickets + ",\"holdSeconds\":" + holdSeconds
                        + ",\"queue\":{\"opensAt\":" + opensAt + ",\"admitPerSecond\":" + admitPerSecond
                        + ",\"admitWindowSeconds\":" + windowSeconds + ",\"proofOfWork\":" + proofOfWork + "}}",
                ADMIN_TOKEN);
    }

    /** {@code POST /queue/{eventId}/join}: the buyer's place (the same one on every join). */
    public Answer join(String eventId, String userId) {
        return post("queue/" + eventId + "/join", Map.of("userId", userId));
    }

    /** {@code POST /queue/{eventId}/join} with a proof of work: {@code pow}, an ALTCHA payload ({@link Altcha}). */
    public Answer join(String eventId, String userId, String pow) {
        return post("queue/" + eventId + "/join", Map.of("userId", userId, "pow", pow));
    }

    /** {@code GET /queue/{eventId}/challenge?userId=}: the proof of work to solve before joining. */
    public Answer challenge(String eventId, String userId) {
        return get("queue/" + eventId + "/challenge?userId=" + URLEncoder.encode(userId, StandardCharsets.UTF_8));
    }

    /** {@code GET /queue/{eventId}}: the state every buyer shares (through nginx, from its microcache). */
    public Answer queueState(String eventId) {
        return get("queue/" + eventId);
    }

    /** {@code POST /queue/{eventId}/admission} for the place token {@code place}. */
    public Answer admission(String eventId, String place) {
        return post("queue/" + eventId + "/admission", Map.of("place", place));
    }

    /** A purchase in a sale with a waiting room, with the admission token the buyer was given. */
    public Answer buyAdmitted(String eventId, String userId, String admission) {
        return post("buy/ticket", Map.of("userId", userId, "eventId", eventId, "admission", admission));
    }

    /** {@code GET /queue/{eventId}/fairness}: the commitment, and once open the seed and the frozen pre-queue. */
    public Answer fairness(String eventId) {
        return get("queue/" + eventId + "/fairness");
    }

    /** The fairness record with the place hashes of places {@code from}..{@code from + count - 1}. */
    public Answer fairness(String eventId, long from, long count) {
        return get("queue/" + eventId + "/fairness?from=" + from + "&count=" + count);
    }

    /** {@code GET /admin/instances}: every instance with its weight, whether it is alive, and its last report. */
    public Answer instances() {
        return send(HttpRequest.newBuilder(base.resolve("admin/instances"))
                .GET()
                .header("Authorization", "Bearer " + ADMIN_TOKEN));
    }

    public Answer pauseQueue(String eventId) {
        return admin("POST", eventId + "/queue/pause", null, ADMIN_TOKEN);
    }

    public Answer resumeQueue(String eventId) {
        return admin("POST", eventId + "/queue/resume", null, ADMIN_TOKEN);
    }

    /**
     * The fields of a place or admission token's payload, which anyone can read (the part before the dot is
     * base64url of them joined by '|'): {@code p|event|buyer|gen|place} or
     * {@code a|event|buyer|gen|place|position|expiresAt}.
     */
    public static String[] tokenFields(String token) {
        String payload = token.substring(0, token.indexOf('.'));
        return new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\\|", -1);
    }

    /** The place number a place token names. */
    public static long placeNumber(String placeToken) {
        return Long.parseLong(tokenFields(placeToken)[4]);
    }

    public Answer admin(String method, String eventId, String json, String token) {
        return admin(method, eventId, json, token, Map.of());
    }

    /** An admin call with more headers ({@code X-Request-Id}, {@code Idempotency-Key}). */
    public Answer admin(String method, String eventId, String json, String token, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("admin/events/" + eventId))
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return send(request);
    }

    /** {@code DELETE /admin/events/{eventId}} with the admin token. */
    public Answer deleteSale(String eventId) {
        return admin("DELETE", eventId, null, ADMIN_TOKEN);
    }

    /** The value of the first line of this instance's /metrics whose name and labels match the regex {@code series}. */
    public double metric(String series) {
        String text = get("metrics").body();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^(?:" + series + ") ([0-9.eE+-]+)$")
                .matcher(text);
        if (!line.find()) {
            throw new AssertionError("No series " + series + " in /metrics:\n" + text);
        }
        return Double.parseDouble(line.group(line.groupCount()));
    }

    /** {@link #metric}, or 0 while the series does not exist yet (a timer appears with its first sample). */
    public double metricOrZero(String series) {
        String text = get("metrics").body();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^(?:" + series + ") ([0-9.eE+-]+)$")
                .matcher(text);
        return line.find() ? Double.parseDouble(line.group(line.groupCount())) : 0;
    }

    /** This instance's {@code ticketrush_local_permits} of one event: what it may sell before asking Redis. */
    public double localPermits(String eventId) {
        return metric("ticketrush_local_permits\\{[^}]*event=\"" + eventId + "\"[^}]*\\}");
    }

    public Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(
                    request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** One HTTP answer. */
    public record Answer(int status, Map<String, java.util.List<String>> headers, String body) {

        /** The JSON body; fails the test when the body is not JSON. */
        public JsonObject json() {
            try (var reader = Json.createReader(new StringReader(body))) {
                return reader.readObject();
            } catch (JsonParsingException e) {
                throw new AssertionError("Not a JSON body (HTTP " + status + "): " + body, e);
            }
        }

        public int code() {
            return json().getInt("code");
        }

        public JsonObject data() {
            return json().getJsonObject("data");
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }
}
