package io.ticketrush.testsupport;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A client's side of an ALTCHA challenge ({@code GET /queue/{eventId}/challenge}'s data), as the buyer's page does
 * it: count up from 0 until SHA-256(salt + number) is the challenge, and send back base64 of the JSON of the
 * challenge's fields and that number. A test's own sale asks for a small maxnumber, so this takes milliseconds.
 */
public final class Altcha {

    private Altcha() {}

    /** The number that solves {@code challenge}. */
    public static long solve(JsonObject challenge) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] target = HexFormat.of().parseHex(challenge.getString("challenge"));
        String salt = challenge.getString("salt");
        long max = challenge.getJsonNumber("maxnumber").longValueExact();
        for (long n = 0; n <= max; n++) {
            if (MessageDigest.isEqual(target, sha.digest((salt + n).getBytes(StandardCharsets.UTF_8)))) {
                return n;
            }
        }
        throw new AssertionError("no number up to maxnumber solves " + challenge);
    }

    /** The payload for the join's {@code pow} field: the challenge with {@code number}. */
    public static String payload(JsonObject challenge, long number) {
        String json = Json.createObjectBuilder()
                .add("algorithm", challenge.getString("algorithm"))
                .add("challenge", challenge.getString("challenge"))
                .add("number", number)
                .add("salt", challenge.getString("salt"))
                .add("signature", challenge.getString("signature"))
                .build()
                .toString();
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The payload of the challenge solved. */
    public static String solved(JsonObject challenge) {
        return payload(challenge, solve(challenge));
    }
}
