package io.ticketrush.archive;

import io.ticketrush.model.Order;
import io.ticketrush.model.QueueSettings;
import java.util.List;

/**
 * A sale as PostgreSQL holds it: its generation and settings, its waiting room's settings ({@code queue}, null for
 * a sale without one), and its orders still standing (RESERVED or PAID). What the database has is what the hand-off
 * had written when Redis lost the sale; entries still in the stream then are not in it.
 */
public record ArchivedSale(
        String eventId, long gen, long tickets, long holdMillis, QueueSettings queue, List<Order> orders) {

    public ArchivedSale {
        orders = List.copyOf(orders);
    }
}
