package io.ticketrush.web.admin;

import io.ticketrush.stock.RequestId;
import io.ticketrush.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The id under which an admin {@code PUT} or {@code DELETE} is applied once: the client's {@value #IDEMPOTENCY_KEY}
 * when it sends one (it holds across the client's own retries), else the {@value #REQUEST_ID} that nginx gives every
 * request it forwards (the same on its resends of that request); none without either.
 */
final class RequestIds {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REQUEST_ID = "X-Request-Id";
    static final int MAX_LENGTH = 255;

    private RequestIds() {}

    /** The request's id and the fingerprint of what it asks ({@code body}: its body, "" for none), or null. */
    static RequestId of(HttpServletRequest request, String body) {
        String header = IDEMPOTENCY_KEY;
        String id = request.getHeader(IDEMPOTENCY_KEY);
        if (id == null) {
            header = REQUEST_ID;
            id = request.getHeader(REQUEST_ID);
        }
        if (id == null) {
            return null;
        }
        if (!isValid(id)) {
            throw ApiException.badRequest(
                    "header " + header + " must be 1 to " + MAX_LENGTH + " visible ASCII characters (no spaces)");
        }
        return new RequestId(id, sha256(request.getMethod() + "\n" + body));
    }

    /** Visible ASCII only: the id becomes part of a Redis key name. */
    static boolean isValid(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
