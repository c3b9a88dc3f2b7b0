package dev.caravan.server;

/** A request about endpoints that cannot be done; carries the HTTP status the admin API answers with. */
public class EndpointException extends RuntimeException {
    private final int status;

    public EndpointException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
