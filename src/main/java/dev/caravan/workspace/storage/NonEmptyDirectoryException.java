package dev.caravan.workspace.storage;

/** A directory that still has entries was asked to be deleted. */
public class NonEmptyDirectoryException extends StorageException {
    public NonEmptyDirectoryException(String message) {
        super(message);
    }

    static NonEmptyDirectoryException of(WorkspacePath path) {
        return new NonEmptyDirectoryException("Directory " + show(path)
                + " is not empty; delete or move its contents first.");
    }
}
