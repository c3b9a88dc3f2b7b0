package dev.caravan.workspace.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One directory of a local workspace, opened from the root a segment at a time without following links
 * ({@code openat} with {@code O_NOFOLLOW} through {@link SecureDirectoryStream}), so that what is done in it by name
 * happens in that very directory even if a folder on the way is swapped for a link meanwhile. Where the platform has
 * no secure directory streams it falls back to paths, which the caller has checked segment by segment (a swap
 * between check and use can then still redirect an operation).
 */
final class Directory implements AutoCloseable {
    /** A segment was, when opened, a link or not a directory: the tree changed under the operation. */
    static final class Swapped extends IOException {
        Swapped(Throwable cause) {
            super(cause);
        }
    }

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final SecureDirectoryStream<Path> stream;
    private final Path path;

    private Directory(SecureDirectoryStream<Path> stream, Path path) {
        this.stream = stream;
        this.path = path;
    }

    /**
     * Opens {@code dir} under {@code root}.
     *
     * @throws NoSuchFileException if a segment is missing
     * @throws Swapped             if a segment is a link or a file
     */
    static Directory open(Path root, WorkspacePath dir) throws IOException {
        Path path = root.resolve(dir.toString());
        DirectoryStream<Path> top = Files.newDirectoryStream(root);
        if (!(top instanceof SecureDirectoryStream<Path> current)) {
            top.close();
            return new Directory(null, path);
        }
        try {
            for (String segment : dir.segments()) {
                SecureDirectoryStream<Path> next = current.newDirectoryStream(Path.of(segment), NOFOLLOW);
                current.close();
                current = next;
            }
            return new Directory(current, path);
        } catch (NoSuchFileException e) {
            current.close();
            throw e;
        } catch (FileSystemException e) {
            current.close();
            throw new Swapped(e); // ELOOP for a link, ENOTDIR for a file
        }
    }

    boolean secure() {
        return stream != null;
    }

    /** Opens an entry (never through a link) as a file channel. */
    FileChannel open(String name, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(List.of(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        // On Linux the secure stream's channels are FileChannels (what force() and positioning need).
        return stream == null ? FileChannel.open(path.resolve(name), all)
                : (FileChannel) stream.newByteChannel(Path.of(name), all);
    }

    /** The entry's attributes (a link's own), or null if there is none. */
    BasicFileAttributes attributes(String name) throws IOException {
        try {
            return view(name).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    void setModified(String name, FileTime time) throws IOException {
        view(name).setTimes(time, null, null);
    }

    private BasicFileAttributeView view(String name) {
        return stream == null
                ? Files.getFileAttributeView(path.resolve(name), BasicFileAttributeView.class, NOFOLLOW)
                : stream.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW);
    }

    /** Renames an entry within this directory, replacing what is at {@code to} (atomic on POSIX). */
    void rename(String from, String to) throws IOException {
        if (stream == null) {
            Files.move(path.resolve(from), path.resolve(to), StandardCopyOption.ATOMIC_MOVE);
        } else {
            stream.move(Path.of(from), stream, Path.of(to));
        }
    }

    void deleteIfExists(String name) throws IOException {
        try {
            if (stream == null) {
                Files.deleteIfExists(path.resolve(name));
            } else {
                stream.deleteFile(Path.of(name));
            }
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
        }
    }
}
