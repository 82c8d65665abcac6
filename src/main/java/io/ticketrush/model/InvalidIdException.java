package io.ticketrush.model;

/** A user or event id that breaks {@link Ids}'s rule; the message names the id's field and what is wrong. */
public class InvalidIdException extends IllegalArgumentException {

    public InvalidIdException(String message) {
        super(message);
    }
}
