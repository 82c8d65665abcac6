package io.ticketrush.queue;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The price of a place in a waiting room that asks for one: ALTCHA challenges (find the {@code number} ≤
 * {@code maxnumber} with {@code SHA-256(salt + number) = challenge}), bound to an event and a buyer and expiring
 * in their salt, signed with HMAC-SHA256 under a key derived from {@code queue.secret}, which every instance shares.
 * Checking a solution is one hash and one MAC, without Redis.
 */
public final class ProofOfWork {

    public static final String ALGORITHM = "SHA-256";
    /** How long a challenge may be solved and used, from when it was issued. */
    public static final long EXPIRES_SECONDS = 600;
    /** Base64 of the JSON of a challenge of ours and its number takes about 500 characters. */
    static final int MAX_PAYLOAD_LENGTH = 2048;
    /** The signing key is an HMAC of this under queue.secret: a key of its own, with no second secret to share. */
    private static final String KEY_LABEL = "ticketrush/altcha-challenge-key/v1";

    private static final int SALT_BYTES = 12;
    private static final JsonReaderFactory JSON = Json.createReaderFactory(Map.of());
    private static final String NOT_A_PAYLOAD = "pow is not an ALTCHA payload: base64 of"
            + " {\"algorithm\",\"challenge\",\"number\",\"salt\",\"signature\"}";
    private static final String NOT_ISSUED = "the proof of work's challenge is not one this service issued";
    private static final BigDecimal MAX_NUMBER = BigDecimal.valueOf(Long.MAX_VALUE);

    /** A challenge as ALTCHA's widget and libraries read it. */
    public record Challenge(String algorithm, String challenge, long maxnumber, String salt, String signature) {}

    /** Why a solution is refused; the message names it for the buyer (a 403). */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final SecureRandom random = new SecureRandom();
    /** Initialised once; each MAC is computed on a clone, which is cheaper than a new Mac and thread-safe. */
    private final Mac prototype;

    public ProofOfWork(byte[] queueSecret) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(queueSecret.clone(), "HmacSHA256"));
            prototype = Mac.getInstance("HmacSHA256");
            prototype.init(new SecretKeySpec(derive.doFinal(KEY_LABEL.getBytes(StandardCharsets.UTF_8)), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every JVM has HmacSHA256", e);
        }
    }

    /**
     * A new challenge for {@code buyerKey} in {@code eventId}'s waiting room, its number drawn from 0 to
     * {@code maxNumber}, expiring {@value #EXPIRES_SECONDS} s after {@code nowMs}. The salt is ALTCHA's
     * {@code <random hex>?expires=<epoch s>&...&}: its parameters name the event and the buyer, and it ends with
     * {@code &} so that no digit can be moved between its last parameter and the number.
     */
    public Challenge challenge(String eventId, String buyerKey, long maxNumber, long nowMs) {
        byte[] nonce = new byte[SALT_BYTES];
        random.nextBytes(nonce);
        long number = random.nextLong(maxNumber + 1);
        String salt = HexFormat.of().formatHex(nonce) + "?expires=" + (nowMs / 1000 + EXPIRES_SECONDS) + "&event="
                + encode(eventId) + "&buyer=" + encode(buyerKey) + "&";
        String challenge = HexFormat.of().formatHex(sha256(salt + number));
        return new Challenge(
                ALGORITHM,
                challenge,
                maxNumber,
                salt,
                HexFormat.of().formatHex(mac(challenge.getBytes(StandardCharsets.US_ASCII))));
    }

    /**
     * Checks {@code payload} (base64 of ALTCHA's {@code {"algorithm","challenge","number","salt","signature"}}): a
     * challenge this service issued, solved, not expired at {@code nowMs}, for {@code eventId} and {@code buyerKey}.
     * Throws {@link Refused} naming the first thing wrong.
     */
    public void check(String payload, String eventId, String buyerKey, long nowMs) {
        JsonObject solution = parse(payload);
        if (!ALGORITHM.equals(string(solution, "algorithm"))) {
            throw new Refused("the proof of work's algorithm must be " + ALGORITHM);
        }
        String challenge = string(solution, "challenge");
        byte[] signature = hex(string(solution, "signature"), NOT_ISSUED + ": its signature does not match");
        if (!MessageDigest.isEqual(signature, mac(challenge.getBytes(StandardCharsets.UTF_8)))) {
            throw new Refused(NOT_ISSUED + ": its signature does not match");
        }
        String salt = string(solution, "salt");
        byte[] expected = hex(challenge, NOT_ISSUED);
        if (!MessageDigest.isEqual(expected, sha256(salt + number(solution)))) {
            throw new Refused("the proof of work's number does not solve its challenge");
        }
        Map<String, String> params = params(salt);
        long expires;
        try {
            expires = Long.parseLong(params.getOrDefault("expires", ""));
        } catch (NumberFormatException e) {
            throw new Refused(NOT_ISSUED);
        }
        if (nowMs >= expires * 1000) {
            throw new Refused(
                    "the proof of work's challenge expired: ask GET /queue/" + eventId + "/challenge for a new one");
        }
        if (!encode(eventId).equals(params.get("event"))) {
            throw new Refused("the proof of work is for another event");
        }
        if (!encode(buyerKey).equals(params.get("buyer"))) {
            throw new Refused("the proof of work is another buyer's");
        }
    }

    private static JsonObject parse(String payload) {
        if (payload.length() > MAX_PAYLOAD_LENGTH) {
            throw new Refused(NOT_A_PAYLOAD);
        }
        try (JsonReader reader = JSON.createReader(
                new StringReader(new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8)))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new Refused(NOT_A_PAYLOAD);
            }
            return value.asJsonObject();
        } catch (IllegalArgumentException | JsonException e) {
            throw new Refused(NOT_A_PAYLOAD);
        }
    }

    private static String string(JsonObject solution, String name) {
        JsonValue value = solution.get(name);
        if (value == null || value.getValueType() != JsonValue.ValueType.STRING) {
            throw new Refused(NOT_A_PAYLOAD);
        }
        return ((JsonString) value).getString();
    }

    /** The number in its one decimal spelling, which is what was hashed. */
    private static String number(JsonObject solution) {
        JsonValue value = solution.get("number");
        if (value == null || value.getValueType() != JsonValue.ValueType.NUMBER) {
            throw new Refused(NOT_A_PAYLOAD);
        }
        JsonNumber number = (JsonNumber) value;
        // Bounds first: the exact value of 1e999999999 would be costly, and no such number is a solution anyway.
        if (number.bigDecimalValue().signum() < 0
                || number.bigDecimalValue().compareTo(MAX_NUMBER) > 0
                || !number.isIntegral()) {
            throw new Refused("the proof of work's number does not solve its challenge");
        }
        return Long.toString(number.longValueExact());
    }

    /** The parameters after the salt's {@code ?}, which ends with {@code &}; a repeated one is refused. */
    private static Map<String, String> params(String salt) {
        int query = salt.indexOf('?');
        if (query < 0 || !salt.endsWith("&")) {
            throw new Refused(NOT_ISSUED);
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : salt.substring(query + 1, salt.length() - 1).split("&", -1)) {
            int equals = pair.indexOf('=');
            if (equals <= 0 || params.put(pair.substring(0, equals), pair.substring(equals + 1)) != null) {
                throw new Refused(NOT_ISSUED);
            }
        }
        return params;
    }

    private static byte[] hex(String text, String problem) {
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new Refused(problem);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance(ALGORITHM).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    private byte[] mac(byte[] bytes) {
        try {
            return ((Mac) prototype.clone()).doFinal(bytes);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("The JDK's HmacSHA256 can be cloned", e);
        }
    }
}
