package io.ticketrush.queue;

/** The waiting room asks for no proof of work, so there is no challenge to solve: join without one. */
public class NoChallengeException extends RuntimeException {

    public NoChallengeException(String message) {
        super(message, null, false, false);
    }
}
