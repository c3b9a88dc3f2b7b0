package dev.caravan.workspace.storage;

/** A path that is not acceptable: it would leave the workspace, is malformed, or names something off limits. */
public class PathRejectedException extends StorageException {
    public PathRejectedException(String message) {
        super(message);
    }

    static PathRejectedException symbolicLink(WorkspacePath link) {
        return new PathRejectedException(StorageException.show(link)
                + " is a symbolic link; workspaces do not follow links. Use the real file or directory instead.");
    }

    static PathRejectedException root(String operation) {
        return new PathRejectedException("The workspace root cannot be " + operation + "; name a file or directory "
                + "inside it.");
    }

    static PathRejectedException intoItself(WorkspacePath source, WorkspacePath target) {
        return new PathRejectedException("Cannot put " + show(source) + " inside itself (" + show(target)
                + "); choose a target outside it.");
    }
}
