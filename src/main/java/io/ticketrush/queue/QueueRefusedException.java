package io.ticketrush.queue;

/**
 * The waiting room refuses the buyer's request: a proof of work missing or wrong, or a place or admission that is
 * missing, not genuine, another buyer's, used, lapsed or of an earlier sale. The message says which, for the buyer.
 */
public class QueueRefusedException extends RuntimeException {

    public QueueRefusedException(String message) {
        super(message, null, false, false);
    }
}
