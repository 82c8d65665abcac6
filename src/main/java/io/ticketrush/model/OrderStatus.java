package io.ticketrush.model;

/** Where an order stands; stored in Redis as its first letter. */
public enum OrderStatus {
    RESERVED,
    PAID,
    EXPIRED;

    public static OrderStatus ofLetter(char letter) {
        return switch (letter) {
            case 'R' -> RESERVED;
            case 'P' -> PAID;
            case 'E' -> EXPIRED;
            default -> throw new IllegalArgumentException("Unknown order status letter: " + letter);
        };
    }
}
