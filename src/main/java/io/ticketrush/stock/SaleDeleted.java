package io.ticketrush.stock;

/**
 * A CDI event: a sale this instance was selling was deleted by the operator (its tombstone is in Redis), so what
 * any part of the instance knew of it is to be forgotten. {@link StockRefresher} fires it when it finds one.
 */
public record SaleDeleted(String eventId) {}
