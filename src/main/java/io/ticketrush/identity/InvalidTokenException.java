package io.ticketrush.identity;

/** An access token that is not to be trusted; the message names what is wrong with it and nothing secret. */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}
