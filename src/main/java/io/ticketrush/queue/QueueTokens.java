package io.ticketrush.queue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The waiting room's signed tokens: a place (who stands where in which sale) and an admission (that place may
 * buy until a deadline). Each is {@code base64url(payload) "." base64url(mac)}, the MAC the first 16 bytes of
 * HMAC-SHA256 under {@code queue.secret}, which every instance shares. Checking one needs no Redis call: what
 * Redis must still say (used, lapsed) is checked by the script that acts on it.
 */
public final class QueueTokens {

    /** A place: place number {@code place} of generation {@code gen} of the sale, held by {@code buyerKey}. */
    public record Place(String eventId, String buyerKey, long gen, long place) {}

    /** An admission of a place at position {@code position}, valid until {@code expiresAt} (epoch ms). */
    public record Admission(String eventId, String buyerKey, long gen, long place, long position, long expiresAt) {}

    /** Why a token is refused; the message names it for the buyer (a 403). */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAC_BYTES = 16;
    private static final int MAX_TOKEN_LENGTH = 512;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** Initialised once; each MAC is computed on a clone, which is cheaper than a new Mac and thread-safe. */
    private final Mac prototype;

    public QueueTokens(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("queue.secret must be at least 16 bytes");
        }
        try {
            prototype = Mac.getInstance("HmacSHA256");
            prototype.init(new SecretKeySpec(secret.clone(), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every JVM has HmacSHA256", e);
        }
    }

    public String place(Place place) {
        return sign(String.join(
                "|", "p", place.eventId(), place.buyerKey(), Long.toString(place.gen()), Long.toString(place.place())));
    }

    public String admission(Admission admission) {
        return sign(String.join(
                "|",
                "a",
                admission.eventId(),
                admission.buyerKey(),
                Long.toString(admission.gen()),
                Long.toString(admission.place()),
                Long.toString(admission.position()),
                Long.toString(admission.expiresAt())));
    }

    /** The place {@code token} names, if it is genuine and of {@code eventId}. */
    public Place checkPlace(String token, String eventId) {
        String[] fields = open(token, "place", "p", 5);
        if (!fields[1].equals(eventId)) {
            throw new Refused("the place is for another event");
        }
        return new Place(fields[1], fields[2], number(fields[3], "place"), number(fields[4], "place"));
    }

    /**
     * The admission {@code token} names, if it is genuine, of {@code eventId} and {@code buyerKey}, and not past
     * its deadline at {@code nowMs}.
     */
    public Admission checkAdmission(String token, String eventId, String buyerKey, long nowMs) {
        String[] fields = open(token, "admission", "a", 7);
        if (!fields[1].equals(eventId)) {
            throw new Refused("the admission is for another event");
        }
        if (!fields[2].equals(buyerKey)) {
            throw new Refused("the admission is another buyer's");
        }
        Admission admission = new Admission(
                fields[1],
                fields[2],
                number(fields[3], "admission"),
                number(fields[4], "admission"),
                number(fields[5], "admission"),
                number(fields[6], "admission"));
        if (admission.expiresAt() <= nowMs) {
            throw new Refused("the admission expired");
        }
        return admission;
    }

    /** The public hash of a buyer's place (never the user id): hex of a truncated HMAC of event and buyer. */
    public String placeHash(String eventId, String buyerKey) {
        return HexFormat.of().formatHex(mac("place|" + eventId + "|" + buyerKey));
    }

    private String sign(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(bytes) + "." + ENCODER.encodeToString(mac(bytes));
    }

    private String[] open(String token, String what, String kind, int fieldCount) {
        int dot = token.indexOf('.');
        if (token.length() > MAX_TOKEN_LENGTH || dot < 0 || dot != token.lastIndexOf('.')) {
            throw new Refused("the " + what + " is not a token this service issued");
        }
        byte[] payload;
        byte[] mac;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            mac = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new Refused("the " + what + " is not a token this service issued");
        }
        if (payload.length == 0 || mac.length != MAC_BYTES) {
            throw new Refused("the " + what + " is not a token this service issued");
        }
        if (!MessageDigest.isEqual(mac, mac(payload))) {
            throw new Refused("the " + what + " is forged: its signature does not match");
        }
        String[] fields = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (fields.length != fieldCount || !fields[0].equals(kind)) {
            throw new Refused("the " + what + " is not " + ("a".equals(kind) ? "an admission" : "a place") + " token");
        }
        return fields;
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Refused("the " + what + " is not a token this service issued");
        }
    }

    private byte[] mac(String text) {
        return mac(text.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] mac(byte[] bytes) {
        try {
            return Arrays.copyOf(((Mac) prototype.clone()).doFinal(bytes), MAC_BYTES);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("The JDK's HmacSHA256 can be cloned", e);
        }
    }
}
