package dev.caravan.workspace.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The files of one workspace, on whatever backend holds them (a local directory, an S3 prefix).
 *
 * <p>Paths are {@link WorkspacePath}s, checked once when parsed, so no backend ever sees {@code ..}, an absolute
 * path or an encoded separator. Every failure is a {@link StorageException} whose message names only workspace
 * paths and tells the agent what to do next; its subclass says which kind of failure it was.
 *
 * <p>Content is streamed both ways: no method holds a whole file in memory. A write is all or nothing: readers
 * see the old content or the new, and a write that fails halfway (its content stream breaks, the process dies)
 * leaves the old content in place.
 *
 * <p>Directories: writes create missing parent directories; deleting a file leaves its directory in place; a
 * directory is deleted only when empty.
 *
 * <p>Implementations are safe for concurrent use. Each call is independent: there are no sessions or open
 * handles other than an unclosed {@link FileContent}.
 *
 * <p>This interface is meant to be wrapped: file versions, locks and audit are decorators holding a backend.
 * A versions wrapper needs nothing more than is here: {@link #find} for the current etag, {@link #read} to copy
 * the old content aside, then the write or delete with {@link Precondition#etag} of what it copied, so the kept
 * version is exactly the one that was replaced (and a lost race is retried).
 */
public interface WorkspaceStorage extends AutoCloseable {

    /** What is at {@code path} now, or empty if nothing is. The root always exists. */
    Optional<FileInfo> find(WorkspacePath path);

    /**
     * What is at {@code path} now.
     *
     * @throws PathNotFoundException if nothing is
     */
    default FileInfo stat(WorkspacePath path) {
        return find(path).orElseThrow(() -> PathNotFoundException.of(path));
    }

    /**
     * Opens a file for reading. The returned content carries the info of the exact version being streamed.
     *
     * @throws PathNotFoundException if nothing is at {@code path}
     * @throws PathTypeException     if it is a directory
     */
    FileContent read(WorkspacePath path, ByteRange range);

    /**
     * A file on local disk holding exactly the bytes of {@code version}, which stays so for at least a minute, for a
     * web server to send without copying the bytes through the JVM. Empty when the backend keeps no local files (S3)
     * or {@code path} no longer holds that version; then {@link #read} it instead.
     */
    default Optional<Path> pin(WorkspacePath path, FileInfo version) {
        return Optional.empty();
    }

    /**
     * Writes a file from a stream, replacing it atomically. The stream is read to its end but not closed.
     *
     * @return the new file's info, including the etag of the content just written
     * @throws PathExistsException   under {@link Precondition#absent()} if something exists
     * @throws EtagMismatchException under {@link Precondition#etag} if the file is gone or another version
     * @throws PathTypeException     if {@code path} or one of its parents is of the wrong kind
     * @throws FileTooLargeException over the workspace's per-file limit
     */
    FileInfo write(WorkspacePath path, InputStream content, WriteOptions options);

    /** As {@link #write(WorkspacePath, InputStream, WriteOptions)}, for content produced into a stream. */
    FileInfo write(WorkspacePath path, ContentWriter content, WriteOptions options);

    /**
     * Creates a directory and any missing parents. Succeeds quietly if the directory already exists.
     *
     * @throws PathTypeException if {@code path} or one of its parents is a file
     */
    FileInfo createDirectory(WorkspacePath path);

    /**
     * Deletes a file, or an empty directory.
     *
     * @param precondition {@link Precondition#none()}, or {@link Precondition#etag} to delete only that version
     * @throws PathNotFoundException       if nothing is at {@code path}
     * @throws NonEmptyDirectoryException  for a directory with entries
     * @throws EtagMismatchException       if the file is not the expected version
     */
    void delete(WorkspacePath path, Precondition precondition);

    /**
     * Moves (renames) a file or directory. A directory moves only to a path that does not exist.
     *
     * @param target what must hold at {@code destination}: {@link Precondition#absent()} never overwrites (the
     *               usual choice), {@link Precondition#none()} replaces a file there, {@link Precondition#etag}
     *               replaces only that version of it
     * @return the moved entry's info at its new path
     * @throws PathNotFoundException if {@code source} does not exist
     * @throws PathExistsException   if {@code destination} exists and {@code target} forbids replacing it
     */
    FileInfo move(WorkspacePath source, WorkspacePath destination, Precondition target);

    /** As {@link #move}, but {@code source} stays. A directory is copied with everything in it. */
    FileInfo copy(WorkspacePath source, WorkspacePath destination, Precondition target);

    /**
     * The entries directly inside a directory, sorted by name, with sizes.
     *
     * @param maxEntries the most entries to return; the listing says whether there were more
     * @throws PathNotFoundException if {@code directory} does not exist
     * @throws PathTypeException     if it is a file
     */
    Listing list(WorkspacePath directory, int maxEntries);

    /**
     * Every entry below a directory (not the directory itself), sorted by path so that each directory comes
     * right before its contents, within the options' caps.
     *
     * @throws PathNotFoundException if {@code directory} does not exist
     * @throws PathTypeException     if it is a file
     */
    Listing walk(WorkspacePath directory, WalkOptions options);

    /**
     * Removes what writes that died (a killed process) left behind and that is older than {@code olderThan}: temp
     * files, and on S3 incomplete multipart uploads under the workspace. Never touches a temp file a write in this
     * process is still using, however old.
     *
     * @return how many leftovers were removed
     */
    default int sweepAbandoned(Instant olderThan) {
        return 0;
    }

    /** Releases the backend's connections; the storage cannot be used afterwards. */
    @Override
    default void close() {
    }
}
