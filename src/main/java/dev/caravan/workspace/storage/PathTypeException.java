package dev.caravan.workspace.storage;

/** The path is a directory where a file was expected, or the other way round. */
public class PathTypeException extends StorageException {
    public PathTypeException(String message) {
        super(message);
    }

    static PathTypeException isDirectory(WorkspacePath path) {
        return new PathTypeException(show(path) + " is a directory, not a file; list it to see its files.");
    }

    static PathTypeException notDirectory(WorkspacePath path) {
        return new PathTypeException(show(path) + " is a file, not a directory.");
    }

    static PathTypeException parentIsFile(WorkspacePath parent, WorkspacePath path) {
        return new PathTypeException("Cannot use " + show(path) + " because " + show(parent)
                + " is a file, not a directory; choose another path.");
    }

    static PathTypeException noEtag(WorkspacePath path) {
        return new PathTypeException(show(path) + " is a directory; etags belong to files only.");
    }
}
