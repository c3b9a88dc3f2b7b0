package dev.caravan.workspace.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Hard links that hold one version of a file for a web server to send by name: Tomcat's sendfile opens the file only
 * after the servlet has returned, when the name may already belong to a newer version. Writes replace a file by
 * rename and never change one in place, so a link to the inode keeps exactly the bytes it had when it was made.
 * Links live in the workspace's reserved area {@code .caravan-pins/} (same file system, out of agents' sight) and
 * are removed after {@link #LIFETIME}; ones left behind by a stopped process are swept when the workspace opens.
 */
final class LocalPins {
    static final Duration LIFETIME = Duration.ofMinutes(1);
    private static final Executor LATER = CompletableFuture.delayedExecutor(LIFETIME.toMillis(), TimeUnit.MILLISECONDS);

    private final Path dir;
    /** Live pins by the pinned file's key, so that they do not count as someone else's hard link. */
    private final Map<Object, Integer> live = new ConcurrentHashMap<>();

    LocalPins(Path root) {
        this.dir = root.resolve(WorkspacePath.RESERVED_PREFIX + "pins");
        sweep(System.currentTimeMillis() - LIFETIME.toMillis());
    }

    /** A new link to {@code file}, removed after {@link #LIFETIME}; empty if the file system does not do links. */
    Optional<Path> link(Path file) {
        Path link = dir.resolve(System.currentTimeMillis() + "-" + UUID.randomUUID());
        Object key;
        try {
            Files.createDirectories(dir);
            Files.createLink(link, file);
            key = Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        if (key != null) {
            live.merge(key, 1, Integer::sum);
        }
        LATER.execute(() -> remove(link, key));
        return Optional.of(link);
    }

    /** How many of this workspace's live pins are links to the file with this key. */
    int count(Object fileKey) {
        return fileKey == null ? 0 : live.getOrDefault(fileKey, 0);
    }

    void remove(Path link) {
        Object key = null;
        try {
            key = Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            // gone already
        }
        remove(link, key);
    }

    private void remove(Path link, Object key) {
        try {
            if (Files.deleteIfExists(link) && key != null) {
                live.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
            }
        } catch (IOException e) {
            // Swept when the workspace next opens.
        }
    }

    /** Removes pins older than their lifetime, e.g. ones a stopped process left. */
    void sweep() {
        sweep(System.currentTimeMillis() - LIFETIME.toMillis());
    }

    /** Removes links made before {@code cutoffMillis} (their names start with the time they were made). */
    private void sweep(long cutoffMillis) {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(dir)) {
            for (Path link : links) {
                String name = link.getFileName().toString();
                int dash = name.indexOf('-');
                if (dash < 0 || !name.substring(0, dash).matches("\\d{1,19}")
                        || Long.parseLong(name.substring(0, dash)) < cutoffMillis) {
                    remove(link, null); // a live pin's own timer uncounts it
                }
            }
        } catch (NoSuchFileException e) {
            // Nothing pinned yet.
        } catch (IOException e) {
            // Not fatal: stale links only hold disk space until a later sweep.
        }
    }
}
