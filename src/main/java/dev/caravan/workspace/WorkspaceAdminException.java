package dev.caravan.workspace;

/** A refused workspace administration request; {@code status} is the HTTP status the admin API answers with. */
public class WorkspaceAdminException extends RuntimeException {
    private final int status;

    public WorkspaceAdminException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
