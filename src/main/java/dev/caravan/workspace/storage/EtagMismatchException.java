package dev.caravan.workspace.storage;

/** A compare-and-swap lost: the file is not the version the caller said it expected. */
public class EtagMismatchException extends StorageException {
    public EtagMismatchException(String message) {
        super(message);
    }

    static EtagMismatchException changed(WorkspacePath path) {
        return new EtagMismatchException("File " + show(path)
                + " was changed since you read it (etag mismatch); read it again and retry.");
    }

    static EtagMismatchException gone(WorkspacePath path) {
        return new EtagMismatchException("File " + show(path)
                + " no longer exists (it was deleted or moved since you read it); check its directory and retry.");
    }
}
