package io.ticketrush.sale;

/** The sale is not there to act on: never opened, deleted, or (for a restore) never in PostgreSQL. */
public class NoSuchSaleException extends RuntimeException {

    public NoSuchSaleException(String message) {
        super(message, null, false, false);
    }
}
