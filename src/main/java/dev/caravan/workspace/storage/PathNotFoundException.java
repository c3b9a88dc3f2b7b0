package dev.caravan.workspace.storage;

/** Nothing exists at the path. */
public class PathNotFoundException extends StorageException {
    public PathNotFoundException(String message) {
        super(message);
    }

    static PathNotFoundException of(WorkspacePath path) {
        return new PathNotFoundException(show(path) + " does not exist; list its directory to see what is there.");
    }
}
