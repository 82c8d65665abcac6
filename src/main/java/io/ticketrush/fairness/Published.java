package io.ticketrush.fairness;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.util.List;

/** What the service publishes for one event; {@code frozen} and {@code seed} are null until the queue opens. */
record Published(
        String eventId,
        String algorithm,
        int version,
        String commitment,
        Long opensAt,
        Frozen frozen,
        String seed,
        List<String> places) {

    /** A frozen pre-queue: its size and the digest of its place hashes. */
    record Frozen(long size, String digest) {}

    /** The record in the {@code data} of a {@code /fairness} answer, with the place hashes read so far. */
    static Published of(JsonObject data, List<String> places) throws IOException {
        Frozen frozen = null;
        JsonValue f = field(data, "frozen");
        if (f != null) {
            JsonObject object = object(f, "frozen");
            frozen = new Frozen(
                    number(field(object, "size"), "frozen.size"), text(field(object, "digest"), "frozen.digest"));
        }
        JsonValue opensAt = field(data, "opensAt");
        JsonValue seed = field(data, "seed");
        return new Published(
                text(field(data, "eventId"), "eventId"),
                text(field(data, "algorithm"), "algorithm"),
                (int) number(field(data, "version"), "version"),
                text(field(data, "commitment"), "commitment"),
                opensAt == null ? null : number(opensAt, "opensAt"),
                frozen,
                seed == null ? null : text(seed, "seed"),
                places);
    }

    /** A member's value, null when it is missing or JSON null alike. */
    static JsonValue field(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value == null || value.getValueType() == JsonValue.ValueType.NULL ? null : value;
    }

    static JsonObject object(JsonValue value, String name) throws IOException {
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new IOException(name + " is not a JSON object: " + value);
    }

    private static String text(JsonValue value, String name) throws IOException {
        if (value instanceof JsonString s) {
            return s.getString();
        }
        throw new IOException(name + " is not a string: " + value);
    }

    /** A whole number that fits a long, written as an integer or not ({@code 5.0} is 5). */
    static long number(JsonValue value, String name) throws IOException {
        if (value instanceof JsonNumber n) {
            try {
                return n.bigDecimalValue().longValueExact();
            } catch (ArithmeticException e) {
                throw new IOException(name + " is not a whole number: " + value, e);
            }
        }
        throw new IOException(name + " is not a whole number: " + value);
    }
}
