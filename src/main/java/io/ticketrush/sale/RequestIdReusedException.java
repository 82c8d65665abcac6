package io.ticketrush.sale;

/** The request id was already used for another request on the sale: the action is refused, not repeated. */
public class RequestIdReusedException extends RuntimeException {

    public RequestIdReusedException(String message) {
        super(message, null, false, false);
    }
}
