package dev.caravan.workspace.storage;

/**
 * A workspace operation that failed. The message is written for the calling agent: it names only paths inside
 * the workspace (never a host path, bucket or endpoint) and says what to do next, so callers may show it
 * verbatim. Details for operators travel in the cause, which must never be shown to the agent.
 */
public abstract class StorageException extends RuntimeException {
    protected StorageException(String message) {
        super(message);
    }

    protected StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A path as it appears in messages. */
    static String show(WorkspacePath path) {
        return path.isRoot() ? "the workspace root" : "'" + path + "'";
    }
}
