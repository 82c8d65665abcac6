package io.ticketrush.queue;

/** The event has no waiting room: it was never opened with one, or was reset or deleted since. */
public class NoWaitingRoomException extends RuntimeException {

    public NoWaitingRoomException(String eventId) {
        super("event " + eventId + " has no waiting room", null, false, false);
    }
}
