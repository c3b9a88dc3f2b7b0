package dev.caravan.workspace.http;

/** An HTTP answer other than success, with a message safe to show (no host path, bucket or secret). */
public class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
