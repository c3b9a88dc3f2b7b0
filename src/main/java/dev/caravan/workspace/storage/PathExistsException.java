package dev.caravan.workspace.storage;

/** Something already exists where the operation was told not to overwrite. */
public class PathExistsException extends StorageException {
    public PathExistsException(String message) {
        super(message);
    }

    static PathExistsException of(WorkspacePath path) {
        return new PathExistsException(show(path) + " already exists; choose another name, or allow overwriting it.");
    }

    static PathExistsException directoryTarget(WorkspacePath path) {
        return new PathExistsException(show(path) + " already exists; a directory can only be moved or copied to a "
                + "path that does not exist yet.");
    }
}
