package io.ticketrush.identity;

/**
 * What a verified access token says: the buyer (the configured claim as a buyer id), the claim as the provider wrote
 * it, and when the token stops being accepted (its {@code exp} plus the leeway), in epoch milliseconds.
 */
public record VerifiedToken(String buyer, String claim, long acceptedUntilMillis) {}
