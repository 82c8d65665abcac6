package io.ticketrush.stock;

import io.ticketrush.redis.EventKeys;

/**
 * The id under which an admin change of a sale (opening or resetting it, deleting it) is applied once: a request
 * that comes again under the same id, as nginx resends a PUT that timed out or a client repeats its
 * {@code Idempotency-Key}, does nothing and is answered as the first was. {@code fingerprint} tells the same request
 * from another one sent under an id already used.
 */
public record RequestId(String id, String fingerprint) {

    /** How long an applied request id is remembered: far longer than any resend or a client's retries. */
    public static final long KEEP_MILLIS = 24L * 60 * 60 * 1000;

    /** {@code tr:{eventId}:request:<id>}, in the sale's slot so that its scripts read and write it. */
    public String markerKey(String eventId) {
        return EventKeys.prefix(eventId) + "request:" + id;
    }
}
