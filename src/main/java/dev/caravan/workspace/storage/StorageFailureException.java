package dev.caravan.workspace.storage;

import java.io.IOException;

/**
 * The backend itself failed (disk, network, permissions, missing bucket) or the content to write could not be
 * read. The message stays generic; the cause carries the detail for the log, and may name host paths or buckets.
 */
public class StorageFailureException extends StorageException {
    public StorageFailureException(String message, Throwable cause) {
        super(message, cause);
    }

    static StorageFailureException of(String action, WorkspacePath path, Throwable cause) {
        if (cause instanceof IOException && cause.getMessage() != null
                && cause.getMessage().contains("No space left on device")) {
            return new StorageFailureException("The workspace storage is full while " + action + " " + show(path)
                    + "; nothing was changed. Free some space or ask an administrator.", cause);
        }
        return new StorageFailureException("The workspace storage failed while " + action + " " + show(path)
                + "; try again, and ask an administrator if it keeps failing.", cause);
    }

    static StorageFailureException unavailable(String reason, Throwable cause) {
        return new StorageFailureException("The workspace storage " + reason
                + "; ask an administrator to check the workspace configuration.", cause);
    }

    /** The caller's content stream broke (or ended early); the old file, if any, is untouched. */
    static StorageFailureException contentFailed(WorkspacePath path, Throwable cause) {
        return new StorageFailureException("The content for " + show(path)
                + " could not be read completely, so nothing was written; send it again.", cause);
    }
}
