package dev.caravan.upstream;

/** A change through the admin API that cannot be made; the message says why and what to do instead. */
public class UpstreamAdminException extends RuntimeException {
    private final int status;

    public UpstreamAdminException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
