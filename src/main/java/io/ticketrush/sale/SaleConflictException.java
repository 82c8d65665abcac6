package io.ticketrush.sale;

/** The sale's state forbids the action now: deleting while its hand-off lags, restoring one that is not lost. */
public class SaleConflictException extends RuntimeException {

    public SaleConflictException(String message) {
        super(message, null, false, false);
    }
}
