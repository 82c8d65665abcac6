package io.ticketrush.web.admin;

import io.ticketrush.model.QueueSettings;
import io.ticketrush.web.ApiException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /admin/events/{eventId}}: {@code {"tickets":N,"holdSeconds":S}}, optionally
 * {@code "handoff":false} to keep the sale's orders out of PostgreSQL (for benchmarks), and optionally
 * {@code "queue":{"opensAt":ms,"admitPerSecond":R,"admitWindowSeconds":W,"overbook":1.0,"proofOfWork":N}} for a
 * waiting room.
 */
public record SaleSettings(long tickets, long holdSeconds, boolean handoff, QueueSettings queue) {

    public SaleSettings(long tickets, long holdSeconds) {
        this(tickets, holdSeconds, true, null);
    }

    public static final long MAX_TICKETS = 1_000_000_000L;
    public static final long MAX_HOLD_SECONDS = 86_400L;

    private static final List<String> FIELDS = List.of("tickets", "holdSeconds", "handoff", "queue");
    private static final List<String> QUEUE_FIELDS =
            List.of("opensAt", "admitPerSecond", "admitWindowSeconds", "overbook", "proofOfWork");

    private static final JsonReaderFactory JSON = Json.createReaderFactory(Map.of());

    /** Parses and checks the body; every problem is a 400 that names the field. */
    public static SaleSettings parse(String body) {
        JsonObject object;
        try (JsonReader reader = JSON.createReader(new StringReader(body))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw ApiException.badRequest("body must be a JSON object {\"tickets\":N,\"holdSeconds\":S}");
            }
            object = value.asJsonObject();
        } catch (JsonException e) {
            throw ApiException.badRequest("body is not valid JSON");
        }
        refuseUnknown(object, "", FIELDS);
        return new SaleSettings(
                integer(object, "tickets", 0, MAX_TICKETS),
                integer(object, "holdSeconds", 1, MAX_HOLD_SECONDS),
                flag(object, "handoff", true),
                queue(object));
    }

    private static QueueSettings queue(JsonObject sale) {
        JsonValue value = sale.get("queue");
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw ApiException.badRequest(
                    "queue must be an object {\"opensAt\":ms,\"admitPerSecond\":R," + "\"admitWindowSeconds\":W}");
        }
        JsonObject queue = value.asJsonObject();
        refuseUnknown(queue, "queue.", QUEUE_FIELDS);
        return new QueueSettings(
                integer(queue, "queue.", "opensAt", 0, QueueSettings.MAX_OPENS_AT),
                integer(queue, "queue.", "admitPerSecond", 1, QueueSettings.MAX_ADMIT_PER_SECOND),
                integer(queue, "queue.", "admitWindowSeconds", 1, QueueSettings.MAX_WINDOW_SECONDS),
                overbook(queue.get("overbook")),
                queue.containsKey("proofOfWork")
                        ? integer(queue, "queue.", "proofOfWork", 0, QueueSettings.MAX_PROOF_OF_WORK)
                        : 0);
    }

    /** A misspelt setting ({@code "handof":false}) would otherwise be ignored and its default applied unseen. */
    private static void refuseUnknown(JsonObject object, String prefix, List<String> known) {
        for (String name : object.keySet()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest(prefix + name + " is not a setting; the settings are " + known);
            }
        }
    }

    private static double overbook(JsonValue value) {
        if (value == null) {
            return 1.0;
        }
        String problem = "queue.overbook must be a number from 1 to " + (int) QueueSettings.MAX_OVERBOOK;
        if (value.getValueType() != JsonValue.ValueType.NUMBER) {
            throw ApiException.badRequest(problem);
        }
        BigDecimal number = ((JsonNumber) value).bigDecimalValue();
        if (number.compareTo(BigDecimal.ONE) < 0
                || number.compareTo(BigDecimal.valueOf(QueueSettings.MAX_OVERBOOK)) > 0) {
            throw ApiException.badRequest(problem);
        }
        return number.doubleValue();
    }

    public long holdMillis() {
        return holdSeconds * 1000;
    }

    private static boolean flag(JsonObject object, String name, boolean absent) {
        JsonValue value = object.get(name);
        if (value == null) {
            return absent;
        }
        if (value.getValueType() != JsonValue.ValueType.TRUE && value.getValueType() != JsonValue.ValueType.FALSE) {
            throw ApiException.badRequest(name + " must be true or false");
        }
        return value.getValueType() == JsonValue.ValueType.TRUE;
    }

    private static long integer(JsonObject object, String name, long min, long max) {
        return integer(object, "", name, min, max);
    }

    private static long integer(JsonObject object, String prefix, String name, long min, long max) {
        JsonValue value = object.get(name);
        if (value == null) {
            throw ApiException.badRequest(prefix + name + " is required");
        }
        String problem = prefix + name + " must be an integer from " + min + " to " + max;
        if (value.getValueType() != JsonValue.ValueType.NUMBER) {
            throw ApiException.badRequest(problem);
        }
        BigDecimal number = ((JsonNumber) value).bigDecimalValue();
        // Range first: stripTrailingZeros on 1e999999999 would be costly, and such a number is out of range anyway.
        if (number.compareTo(BigDecimal.valueOf(min)) < 0
                || number.compareTo(BigDecimal.valueOf(max)) > 0
                || number.stripTrailingZeros().scale() > 0) {
            throw ApiException.badRequest(problem);
        }
        return number.longValueExact();
    }
}
