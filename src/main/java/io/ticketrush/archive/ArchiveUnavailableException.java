package io.ticketrush.archive;

/** PostgreSQL could not answer a read; answered 503 with Retry-After, like Redis being away. */
public class ArchiveUnavailableException extends RuntimeException {

    public ArchiveUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
