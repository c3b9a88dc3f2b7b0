package dev.caravan.workspace.versions;

import dev.caravan.core.Sha256;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.ContentWriter;
import dev.caravan.workspace.storage.EtagMismatchException;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Listing;
import dev.caravan.workspace.storage.PathNotFoundException;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WalkOptions;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WorkspaceStorage;
import dev.caravan.workspace.storage.WriteOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the last {@code keep} versions of every file: before a file is overwritten, deleted, or replaced by a move
 * or copy, its content is copied into the workspace's reserved area {@code .caravan-versions/}, which agents can
 * neither name nor see. The replacing write or delete is then made conditional on the etag of the copied version,
 * so the kept version is exactly the one replaced; a lost race is retried while the new content is still unread.
 *
 * <p>Layout: {@code .caravan-versions/HASH/ID}, where HASH is a hash of the file's path (one flat directory per
 * path, so no user name can collide with a version) and ID is {@code yyyyMMdd'T'HHmmssSSS'Z'-RANDOM-REASON}, which
 * sorts by time. Versions belong to a path: after a move, the old path's versions stay under the old path.
 *
 * <p>Versions live beside the files on the same backend, so they need no database and hold across nodes on S3.
 * The index of versions could move to the database later (issue 3 keeps metadata there) without changing the
 * layout of the content.
 */
public final class VersionedStorage implements WorkspaceStorage {
    static final String AREA = "versions";
    private static final WorkspacePath BASE = WorkspacePath.reserved(AREA, WorkspacePath.ROOT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern ID = Pattern.compile("(\\d{8}T\\d{9}Z)-([0-9a-f]{8})-(overwrite|delete|move|restore)");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ATTEMPTS = 16;
    private static final AtomicLong LAST_MILLIS = new AtomicLong();

    private final WorkspaceStorage files;
    private final int keep;
    private final Lock[] stripes = new Lock[64];

    /** @param keep versions kept per file; 0 keeps none (then this wrapper changes nothing) */
    public VersionedStorage(WorkspaceStorage files, int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must be >= 0");
        }
        this.files = files;
        this.keep = keep;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    public int keep() {
        return keep;
    }

    public WorkspaceStorage unversioned() {
        return files;
    }

    // ---- versions

    /** The kept versions of {@code path}, newest first. Empty when there are none (or the path never existed). */
    public List<FileVersion> versions(WorkspacePath path) {
        WorkspacePath dir = directory(path);
        if (files.find(dir).isEmpty()) {
            return List.of();
        }
        List<FileVersion> out = new ArrayList<>();
        for (FileInfo entry : files.list(dir, 10_000).entries()) {
            Matcher m = ID.matcher(entry.name());
            if (entry.isFile() && m.matches()) {
                out.add(new FileVersion(entry.name(), STAMP.parse(m.group(1), Instant::from), entry.size(), m.group(3)));
            }
        }
        out.sort(Comparator.comparing(FileVersion::id).reversed());
        return out;
    }

    /** Opens a kept version for reading. */
    public FileContent readVersion(WorkspacePath path, String id) {
        return files.read(versionPath(path, id), ByteRange.ALL);
    }

    /**
     * Puts a kept version back at {@code path}. What is there now (if anything) becomes a version itself, so a
     * restore can be undone. The restored version stays in the list.
     */
    public FileInfo restore(WorkspacePath path, String id) {
        WorkspacePath version = versionPath(path, id);
        return write(path, new Repeatable(out -> {
            try (FileContent content = files.read(version, ByteRange.ALL)) {
                content.stream().transferTo(out);
            }
        }), WriteOptions.overwrite(), "restore");
    }

    private WorkspacePath versionPath(WorkspacePath path, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new VersionNotFoundException("'" + id + "' is not a version id; call list_versions for '" + path
                    + "' to see the ids.");
        }
        WorkspacePath version = directory(path).child(id);
        Optional<FileInfo> found = files.find(version);
        if (found.isEmpty() || !found.get().isFile()) {
            throw new VersionNotFoundException("There is no version '" + id + "' of '" + path
                    + "' (it may have been pruned); call list_versions to see the ones kept.");
        }
        return version;
    }

    private static WorkspacePath directory(WorkspacePath path) {
        return BASE.child(HexFormat.of().formatHex(Sha256.of(path.toString()), 0, 16));
    }

    /** A copy of the content about to be replaced: where it was kept, and the etag of exactly what was copied. */
    private record Saved(WorkspacePath version, String etag) {
    }

    /** Copies the current content of a file aside. */
    private Saved save(WorkspacePath path, String reason) {
        WorkspacePath dir = directory(path);
        String id = STAMP.format(nextStamp()) + "-" + HexFormat.of().toHexDigits(RANDOM.nextInt()) + "-" + reason;
        WorkspacePath version = dir.child(id);
        try (FileContent content = files.read(path, ByteRange.ALL)) {
            files.write(version, content.stream(), WriteOptions.createOnly().withSize(content.length()));
            return new Saved(version, content.info().etag());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Drops a copy whose replacing step lost a race: the winner (another writer through this wrapper, perhaps on
     * another node) kept its own copy of the same content, so ours would only be a duplicate.
     */
    private void discard(Saved saved) {
        try {
            files.delete(saved.version(), Precondition.none());
        } catch (StorageException e) {
            // pruning will take it
        }
    }

    /** A time later than any this JVM has used for a version id, so ids sort in the order versions were saved. */
    private static Instant nextStamp() {
        return Instant.ofEpochMilli(LAST_MILLIS.updateAndGet(last -> Math.max(System.currentTimeMillis(), last + 1)));
    }

    private void prune(WorkspacePath path) {
        WorkspacePath dir = directory(path);
        List<FileInfo> kept = new ArrayList<>(files.list(dir, 10_000).entries().stream()
                .filter(e -> e.isFile() && ID.matcher(e.name()).matches()).toList());
        kept.sort(Comparator.comparing(FileInfo::name).reversed());
        for (int i = keep; i < kept.size(); i++) {
            try {
                files.delete(kept.get(i).path(), Precondition.none());
            } catch (PathNotFoundException e) {
                // pruned by a concurrent call
            }
        }
    }

    /** True when something must be saved before {@code path} is replaced under {@code precondition}. */
    private boolean mustSave(Optional<FileInfo> current, Precondition precondition) {
        return keep > 0 && current.isPresent() && current.get().isFile()
                && precondition.kind() != Precondition.Kind.ABSENT;
    }

    /** The precondition for the replacing step: the caller's own if it named an etag, else the saved version's. */
    private static Precondition pinned(Precondition requested, String savedEtag) {
        return requested.kind() == Precondition.Kind.ETAG ? requested : Precondition.etag(savedEtag);
    }

    // ---- the storage, with versions

    @Override
    public Optional<FileInfo> find(WorkspacePath path) {
        return files.find(path);
    }

    @Override
    public FileContent read(WorkspacePath path, ByteRange range) {
        return files.read(path, range);
    }

    @Override
    public int sweepAbandoned(Instant olderThan) {
        return files.sweepAbandoned(olderThan);
    }

    @Override
    public Optional<Path> pin(WorkspacePath path, FileInfo version) {
        return files.pin(path, version);
    }

    /** A stream that supports mark/reset (e.g. a ByteArrayInputStream) can be sent again after a lost race. */
    @Override
    public FileInfo write(WorkspacePath path, InputStream content, WriteOptions options) {
        if (!content.markSupported()) {
            return write(path, content::transferTo, options);
        }
        content.mark(Integer.MAX_VALUE);
        boolean[] sent = {false};
        return write(path, new Repeatable(out -> {
            if (sent[0]) {
                content.reset();
            }
            sent[0] = true;
            content.transferTo(out);
        }), options);
    }

    @Override
    public FileInfo write(WorkspacePath path, ContentWriter content, WriteOptions options) {
        return write(path, content, options, "overwrite");
    }

    private FileInfo write(WorkspacePath path, ContentWriter content, WriteOptions options, String reason) {
        OnceWriter once = new OnceWriter(content);
        boolean repeatable = content instanceof Repeatable;
        Lock lock = lock(path);
        try {
            for (int attempt = 1; ; attempt++) {
                Optional<FileInfo> current = files.find(path);
                // Nothing to keep, or the caller's etag is already stale (then the backend gives the clear error).
                if (!mustSave(current, options.precondition())
                        || options.precondition().kind() == Precondition.Kind.ETAG
                        && !options.precondition().etag().equals(current.get().etag())) {
                    return files.write(path, once, options);
                }
                Saved saved = save(path, reason);
                try {
                    FileInfo written = files.write(path, once,
                            new WriteOptions(pinned(options.precondition(), saved.etag()), options.size()));
                    prune(path);
                    return written;
                } catch (EtagMismatchException e) {
                    discard(saved);
                    if (options.precondition().kind() == Precondition.Kind.ETAG) {
                        throw e;
                    }
                    if (once.used && !repeatable || attempt == ATTEMPTS) {
                        throw new EtagMismatchException("File '" + path + "' was changed by someone else while you "
                                + "wrote it, so your write was not applied; write it again.");
                    }
                    backOff(attempt);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FileInfo createDirectory(WorkspacePath path) {
        return files.createDirectory(path);
    }

    @Override
    public void delete(WorkspacePath path, Precondition precondition) {
        Lock lock = lock(path);
        try {
            for (int attempt = 1; ; attempt++) {
                Optional<FileInfo> current = files.find(path);
                if (!mustSave(current, precondition) || precondition.kind() == Precondition.Kind.ETAG
                        && !precondition.etag().equals(current.get().etag())) {
                    files.delete(path, precondition);
                    return;
                }
                Saved saved = save(path, "delete");
                try {
                    files.delete(path, pinned(precondition, saved.etag()));
                    prune(path);
                    return;
                } catch (EtagMismatchException e) {
                    discard(saved);
                    if (precondition.kind() == Precondition.Kind.ETAG || attempt == ATTEMPTS) {
                        throw e;
                    }
                    backOff(attempt);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FileInfo move(WorkspacePath source, WorkspacePath destination, Precondition target) {
        return transfer(source, destination, target, true);
    }

    @Override
    public FileInfo copy(WorkspacePath source, WorkspacePath destination, Precondition target) {
        return transfer(source, destination, target, false);
    }

    private FileInfo transfer(WorkspacePath source, WorkspacePath destination, Precondition target, boolean move) {
        Lock lock = lock(destination);
        try {
            for (int attempt = 1; ; attempt++) {
                Optional<FileInfo> current = files.find(destination);
                Optional<FileInfo> from = files.find(source);
                // Only a file replacing a file overwrites anything; the backend refuses or creates in every other case.
                if (!mustSave(current, target) || from.isEmpty() || from.get().isDirectory()) {
                    return move ? files.move(source, destination, target) : files.copy(source, destination, target);
                }
                Saved saved = save(destination, "move");
                Precondition pinned = pinned(target, saved.etag());
                try {
                    FileInfo result = move ? files.move(source, destination, pinned)
                            : files.copy(source, destination, pinned);
                    prune(destination);
                    return result;
                } catch (EtagMismatchException e) {
                    discard(saved);
                    if (target.kind() == Precondition.Kind.ETAG || attempt == ATTEMPTS) {
                        throw e;
                    }
                    backOff(attempt);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Serialises this JVM's replacing writes of one path, so that they never race each other (which would keep
     * duplicate versions and push real ones out); writers on other nodes are still handled by the etag retry.
     */
    private Lock lock(WorkspacePath path) {
        Lock lock = stripes[Math.floorMod(path.hashCode(), stripes.length)];
        lock.lock();
        return lock;
    }

    @Override
    public Listing list(WorkspacePath directory, int maxEntries) {
        return files.list(directory, maxEntries);
    }

    @Override
    public Listing walk(WorkspacePath directory, WalkOptions options) {
        return files.walk(directory, options);
    }

    @Override
    public void close() {
        files.close();
    }

    /** Content that can be produced again (a restore, a markable stream). */
    private record Repeatable(ContentWriter content) implements ContentWriter {
        @Override
        public void writeTo(OutputStream out) throws IOException {
            content.writeTo(out);
        }
    }

    /** Waits a moment after a lost race, so that racing writers spread out. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 2 + 2 * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Remembers whether the content was taken, because a stream can be read only once. */
    private static final class OnceWriter implements ContentWriter {
        private final ContentWriter content;
        boolean used;

        OnceWriter(ContentWriter content) {
            this.content = content;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            used = true;
            content.writeTo(out);
        }
    }

    /** A version id that is malformed or no longer kept. */
    public static final class VersionNotFoundException extends StorageException {
        VersionNotFoundException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "VersionedStorage[" + files + ", keep " + keep + "]";
    }
}
