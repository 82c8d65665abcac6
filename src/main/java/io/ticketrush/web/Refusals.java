package io.ticketrush.web;

import io.ticketrush.archive.ArchiveUnavailableException;
import io.ticketrush.model.InvalidIdException;
import io.ticketrush.queue.NoChallengeException;
import io.ticketrush.queue.NoWaitingRoomException;
import io.ticketrush.queue.QueueRefusedException;
import io.ticketrush.sale.NoSuchSaleException;
import io.ticketrush.sale.SaleConflictException;

/** The status the API answers each refusal of the layers below with: they know nothing of HTTP. */
final class Refusals {

    private Refusals() {}

    /** The failure as the API answers it, or null when it is no refusal (Redis away, or a fault). */
    static ApiException of(RuntimeException failure) {
        if (failure instanceof ApiException refusal) {
            return refusal;
        } else if (failure instanceof InvalidIdException) {
            return ApiException.badRequest(failure.getMessage());
        } else if (failure instanceof QueueRefusedException) {
            return new ApiException(403, failure.getMessage());
        } else if (failure instanceof NoWaitingRoomException || failure instanceof NoSuchSaleException) {
            return ApiException.notFound(failure.getMessage());
        } else if (failure instanceof NoChallengeException || failure instanceof SaleConflictException) {
            return new ApiException(409, failure.getMessage());
        } else if (failure instanceof ArchiveUnavailableException) {
            return new ApiException(503, failure.getMessage(), failure.getCause());
        }
        return null;
    }
}
