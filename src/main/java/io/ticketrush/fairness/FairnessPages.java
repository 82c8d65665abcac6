package io.ticketrush.fairness;

import io.ticketrush.model.PlacesPage;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads an event's public record from {@code GET /queue/{eventId}/fairness}, its place hashes page by page. */
final class FairnessPages {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private FairnessPages() {}

    /** The event's record, with every place hash of the frozen pre-queue once it is frozen. */
    static Published fetch(String baseUrl, String eventId) throws IOException, InterruptedException {
        JsonReaderFactory json = jsonReaders();
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        String url = baseUrl.replaceAll("/+$", "") + "/queue/" + eventId + "/fairness";
        JsonObject data = get(client, json, url);
        Published record = Published.of(data, List.of());
        if (record.frozen() == null) {
            return record;
        }
        List<String> places = new ArrayList<>();
        long size = record.frozen().size();
        while (places.size() < size) {
            long from = places.size() + 1L;
            JsonValue page = get(client, json, url + "?from=" + from + "&count=" + PlacesPage.MAX_COUNT)
                    .get("places");
            if (!(page instanceof JsonArray hashes)) {
                throw new IOException(url + "?from=" + from + " answered no \"places\" list");
            }
            for (JsonValue hash : hashes) {
                places.add(hash instanceof JsonString s ? s.getString() : hash.toString());
            }
            if (hashes.size() < PlacesPage.MAX_COUNT) {
                break;
            }
        }
        return Published.of(data, places);
    }

    /** The {@code data} of a successful answer in the service's envelope; IOException naming anything else. */
    private static JsonObject get(HttpClient client, JsonReaderFactory json, String url)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // A refused connection says nothing but its class.
            throw new IOException("GET " + url + ": " + (e.getMessage() == null ? e : e.getMessage()), e);
        }
        JsonValue body;
        try (JsonReader reader = json.createReader(new StringReader(response.body()))) {
            body = reader.readValue();
        } catch (JsonException e) {
            throw new IOException("GET " + url + ": HTTP " + response.statusCode() + ", not JSON: " + e.getMessage());
        }
        JsonObject envelope = Published.object(body, "the answer");
        JsonValue code = Published.field(envelope, "code");
        if (response.statusCode() != 200 || !isOne(code)) {
            JsonValue msg = Published.field(envelope, "msg");
            throw new IOException("GET " + url + ": HTTP " + response.statusCode() + ", code " + code + ": "
                    + (msg instanceof JsonString s ? s.getString() : msg));
        }
        return Published.object(Published.field(envelope, "data"), "data");
    }

    /** JSON-P's parser, which the class path must bring: {@code target/verifier-lib/} holds Parsson's. */
    private static JsonReaderFactory jsonReaders() throws IOException {
        try {
            return Json.createReaderFactory(Map.of());
        } catch (JsonException e) {
            throw new IOException("no JSON-P implementation on the class path: " + e.getMessage(), e);
        }
    }

    private static boolean isOne(JsonValue code) {
        return code instanceof JsonNumber n && n.bigDecimalValue().compareTo(BigDecimal.ONE) == 0;
    }
}
