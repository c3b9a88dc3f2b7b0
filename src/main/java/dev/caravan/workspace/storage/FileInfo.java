package dev.caravan.workspace.storage;

import java.time.Instant;

/**
 * What is known about one file or directory.
 *
 * @param size     bytes of a file; 0 for a directory
 * @param modified last change; may be null for a directory on S3 that exists only as a key prefix
 * @param etag     opaque version tag of a file's content, for {@link Precondition#etag}; null for a directory.
 *                 Equal etags mean the same content version; the form differs by backend and must not be parsed.
 */
public record FileInfo(WorkspacePath path, Type type, long size, Instant modified, String etag) {
    public enum Type { FILE, DIRECTORY }

    static FileInfo directory(WorkspacePath path, Instant modified) {
        return new FileInfo(path, Type.DIRECTORY, 0, modified, null);
    }

    public String name() {
        return path.name();
    }

    public boolean isFile() {
        return type == Type.FILE;
    }

    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }
}
