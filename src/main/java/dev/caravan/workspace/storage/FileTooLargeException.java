package dev.caravan.workspace.storage;

/** Content over the workspace's per-file size limit; nothing was written. */
public class FileTooLargeException extends StorageException {
    public FileTooLargeException(String message) {
        super(message);
    }

    static FileTooLargeException of(WorkspacePath path, long limit) {
        return new FileTooLargeException("File " + show(path) + " is larger than this workspace allows ("
                + StorageLimits.describe(limit) + " per file); nothing was written. Split it into smaller files.");
    }
}
