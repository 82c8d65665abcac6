package io.ticketrush.web;

/**
 * A request the API refuses with a 4xx (or 503) status and a message naming the problem. It carries no stack
 * trace: it is a normal answer, not a fault.
 */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    /** With the failure behind it, for a 503 whose cause an operator may want to see in a debugger or log. */
    public ApiException(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }
}
