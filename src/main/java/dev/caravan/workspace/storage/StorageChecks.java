package dev.caravan.workspace.storage;

/** Argument checks every backend makes the same way. */
final class StorageChecks {
    private StorageChecks() {
    }

    /** A move or copy needs a real source, a destination that is not the root, and not one inside the source. */
    static void checkTransfer(WorkspacePath source, WorkspacePath destination, String verb) {
        if (source.isRoot()) {
            throw PathRejectedException.root(verb);
        }
        if (destination.equals(source)) {
            throw new PathRejectedException(StorageException.show(source) + " is both source and destination; "
                    + "choose another destination.");
        }
        if (destination.isRoot()) {
            throw PathExistsException.directoryTarget(destination);
        }
        if (destination.startsWith(source)) {
            throw PathRejectedException.intoItself(source, destination);
        }
    }

    static void checkMaxEntries(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
    }
}
