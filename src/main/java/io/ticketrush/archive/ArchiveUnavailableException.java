package io.ticketrush.archive;

import io.ticketrush.web.ApiException;

/** PostgreSQL could not answer a read; answered 503 with Retry-After, like Redis being away. */
public class ArchiveUnavailableException extends ApiException {

    public ArchiveUnavailableException(String message, Throwable cause) {
        super(503, message, cause);
    }
}
