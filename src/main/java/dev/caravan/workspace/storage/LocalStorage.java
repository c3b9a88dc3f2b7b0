package dev.caravan.workspace.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A workspace in a local directory.
 *
 * <p><b>Symbolic links are never followed</b>, whether they point inside the root or out of it: a path through a
 * link is refused, and listings and walks leave links out. Agents cannot create links, so any link was put there
 * from outside the workspace's API; following only the ones that stay inside would make delete and move ambiguous
 * (the link or its target?) and invite check-then-use races. The root itself may be a link: it is resolved once,
 * here, and everything is resolved against that real directory.
 *
 * <p><b>Writes</b> go to a hidden temp file ({@value #TEMP_PREFIX}…) in the target's own directory, are fsynced
 * (large ones in steps while they arrive, see {@link WriteBehindOutputStream}),
 * get a fresh modification time, and are renamed over the target (atomic on POSIX file systems), after which the
 * directory is fsynced too. A write that fails or dies halfway leaves the old file; a process killed mid-write may
 * leave a temp file, which listings hide and deleting its directory removes. Temp file, stamp and rename all happen
 * inside the target's directory opened from the root without following links ({@link Directory}), so a folder swapped
 * for a link meanwhile cannot send the content elsewhere. Create-only and etag writes hold a per-path lock (shared by
 * every instance in this JVM) from check to rename; across processes, nodes on one PostgreSQL queue writes to a
 * path before they reach here ({@code LockService}'s per-path advisory lock), which this class alone cannot. (Where the platform has no secure
 * directory streams, create-only commits with a hard link, which fails atomically even across processes.)
 *
 * <p><b>Hard links</b> made outside Caravan may give a workspace name to a file from elsewhere, so a file with more
 * links than this one and Caravan's own pins is refused for reads and pins unless {@code allowHardLinks}.
 *
 * <p><b>Etags</b> hash the inode, size and modification time. Each write stamps a modification time that is
 * strictly increasing within this JVM, so two writes never share an etag even within one tick of the file system's
 * clock; an edit made outside Caravan changes the time or the inode too.
 */
public final class LocalStorage implements WorkspaceStorage {
    static final String TEMP_PREFIX = WorkspacePath.RESERVED_PREFIX + "tmp-";
    private static final int LOCK_STRIPES = 256;
    private static final ReentrantLock[] LOCKS = new ReentrantLock[LOCK_STRIPES];
    private static final AtomicLong LAST_STAMP_MICROS = new AtomicLong();
    private static final int BUFFER = 64 * 1024;

    static {
        for (int i = 0; i < LOCK_STRIPES; i++) {
            LOCKS[i] = new ReentrantLock();
        }
    }

    private final Path root;
    private final StorageLimits limits;
    private final LocalPins pins;
    private final boolean allowHardLinks;

    /** Creates the directory if it does not exist yet; files with other hard links are refused. */
    public LocalStorage(Path root, StorageLimits limits) {
        this(root, limits, false);
    }

    /**
     * Creates the directory if it does not exist yet.
     *
     * @param allowHardLinks whether files with more than one name on disk may be read and shared (a hard link made
     *                       outside Caravan may be the very same file as one outside the workspace)
     */
    public LocalStorage(Path root, StorageLimits limits, boolean allowHardLinks) {
        this.allowHardLinks = allowHardLinks;
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw StorageFailureException.unavailable("directory cannot be opened", e);
        }
        this.limits = limits;
        this.pins = new LocalPins(this.root);
    }

    /** What one walk down a path found. */
    private record Resolved(Path file, BasicFileAttributes attributes, WorkspacePath blockingFile) {
        boolean exists() {
            return attributes != null;
        }
    }

    /**
     * Maps a workspace path to the file under the root, checking each existing segment: a link is refused, and a
     * file where a directory should be is reported instead of walking on.
     */
    private Resolved resolve(WorkspacePath path) throws IOException {
        Path target = root.resolve(path.toString()).normalize();
        if (!target.startsWith(root)) {
            throw new PathRejectedException("Path '" + path + "' is outside the workspace.");
        }
        Path current = root;
        List<String> segments = path.segments();
        for (int i = 0; i < segments.size(); i++) {
            current = current.resolve(segments.get(i));
            BasicFileAttributes a = attributes(current);
            if (a == null) {
                return new Resolved(target, null, null);
            }
            if (a.isSymbolicLink()) {
                throw PathRejectedException.symbolicLink(path.head(i + 1));
            }
            if (a.isOther()) {
                throw new PathRejectedException(StorageException.show(path.head(i + 1))
                        + " is not a regular file or directory; workspaces hold only files and directories.");
            }
            if (i < segments.size() - 1 && !a.isDirectory()) {
                return new Resolved(target, null, path.head(i + 1));
            }
            if (i == segments.size() - 1) {
                return new Resolved(target, a, null);
            }
        }
        return new Resolved(root, attributes(root), null);
    }

    private static BasicFileAttributes attributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static FileInfo info(WorkspacePath path, BasicFileAttributes a) {
        Instant modified = a.lastModifiedTime().toInstant();
        return a.isDirectory() ? FileInfo.directory(path, modified)
                : new FileInfo(path, FileInfo.Type.FILE, a.size(), modified, etag(a));
    }

    private static String etag(BasicFileAttributes a) {
        String stamp = a.fileKey() + "|" + a.size() + "|" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(stamp.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<FileInfo> find(WorkspacePath path) {
        try {
            Resolved r = resolve(path);
            return r.exists() ? Optional.of(info(path, r.attributes())) : Optional.empty();
        } catch (IOException e) {
            throw StorageFailureException.of("reading", path, e);
        }
    }

    @Override
    public FileContent read(WorkspacePath path, ByteRange range) {
        try {
            // Stat, open, stat again: if both agree, the info describes the very file the channel has open.
            for (int attempt = 0; attempt < 5; attempt++) {
                Resolved r = resolve(path);
                if (!r.exists()) {
                    throw PathNotFoundException.of(path);
                }
                if (r.attributes().isDirectory()) {
                    throw PathTypeException.isDirectory(path);
                }
                FileChannel channel;
                BasicFileAttributes after;
                try (Directory parent = Directory.open(root, path.parent())) {
                    channel = parent.open(path.name(), StandardOpenOption.READ);
                    after = parent.attributes(path.name());
                } catch (NoSuchFileException e) {
                    continue;
                } catch (Directory.Swapped e) {
                    throw swapped(path);
                }
                FileInfo info = info(path, r.attributes());
                if (after != null && after.isRegularFile() && etag(after).equals(info.etag())) {
                    try {
                        if (!checkLinks(path, r.file(), after)) {
                            // Replaced (a write's rename) between opening and counting its links: a plain race,
                            // not an escape; open the new file instead.
                            channel.close();
                            continue;
                        }
                    } catch (RuntimeException | IOException e) {
                        channel.close();
                        throw e;
                    }
                    long start = range.start(info.size());
                    long length = range.length(info.size());
                    channel.position(start);
                    return new FileContent(info, start, length,
                            new RangeInputStream(Channels.newInputStream(channel), length));
                }
                channel.close();
            }
            throw new IOException("file kept changing while being opened");
        } catch (IOException e) {
            throw StorageFailureException.of("reading", path, e);
        }
    }

    /** A path swapped for a link (or a file) while it was being opened. */
    private static PathRejectedException swapped(WorkspacePath path) {
        return new PathRejectedException(StorageException.show(path) + " changed while being opened (a directory on "
                + "the way is, or was, a symbolic link or not a directory); workspaces do not follow links. Try again.");
    }

    /**
     * Refuses a file that has names on disk other than this one and Caravan's own pins: a hard link made outside
     * Caravan may be the very file of another place, so reading or sharing it would hand that out. {@code opened}
     * describes the file actually open; the link count is read by path and kept only if it is of the same file.
     *
     * @return false when the name no longer names the opened file (replaced meanwhile), so nothing was counted
     */
    private boolean checkLinks(WorkspacePath path, Path file, BasicFileAttributes opened) throws IOException {
        if (allowHardLinks) {
            return true;
        }
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(file, "unix:nlink,fileKey", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return true; // no link counts on this platform
        }
        if (!Objects.equals(unix.get("fileKey"), opened.fileKey())) {
            return false;
        }
        int links = ((Number) unix.get("nlink")).intValue();
        if (links > 1 + pins.count(opened.fileKey())) {
            throw new PathRejectedException(StorageException.show(path) + " has other hard links on disk, so it may "
                    + "be a file from outside the workspace; workspaces refuse such files. Replace it with a copy, or "
                    + "set allow-hard-links: true for this workspace if links there are intended.");
        }
        return true;
    }

    @Override
    public Optional<Path> pin(WorkspacePath path, FileInfo version) {
        try {
            Resolved r = resolve(path);
            if (!r.exists() || !r.attributes().isRegularFile()) {
                return Optional.empty();
            }
            if (!checkLinks(path, r.file(), r.attributes())) {
                return Optional.empty(); // replaced meanwhile: nothing to pin (the caller reads it instead)
            }
            Optional<Path> link = pins.link(r.file());
            // The name may have moved on to a newer version between the resolve and the link: then pin nothing.
            BasicFileAttributes linked = link.isPresent() ? attributes(link.get()) : null;
            if (linked != null && etag(linked).equals(version.etag())) {
                return link;
            }
            link.ifPresent(pins::remove);
            return Optional.empty();
        } catch (IOException e) {
            throw StorageFailureException.of("reading", path, e);
        }
    }

    @Override
    public FileInfo write(WorkspacePath path, InputStream content, WriteOptions options) {
        return write(path, content::transferTo, options);
    }

    @Override
    public FileInfo write(WorkspacePath path, ContentWriter content, WriteOptions options) {
        if (path.isRoot()) {
            throw PathTypeException.isDirectory(path);
        }
        if (options.sizeKnown() && options.size() > limits.maxFileBytes()) {
            throw FileTooLargeException.of(path, limits.maxFileBytes());
        }
        try {
            Resolved r = resolve(path);
            checkWritable(path, r);
            // Fail before taking the content when the answer is already known; checked again at commit.
            options.precondition().check(path, r.exists() ? info(path, r.attributes()) : null);
            List<Path> created = new ArrayList<>();
            Path dir = ensureDirectories(path.parent(), path, created);
            String tempName = TEMP_PREFIX + UUID.randomUUID() + ".part";
            Path temp = dir.resolve(tempName);
            boolean done = false;
            LiveTemps.add(temp);
            // Everything from here happens in the directory opened once without following links, so a folder
            // swapped for a link meanwhile cannot send the content elsewhere.
            try (Directory parent = Directory.open(root, path.parent())) {
                try {
                    FileInfo written = writeTemp(path, parent, tempName, content, options);
                    commit(path, parent, tempName, r.file(), options.precondition());
                    syncDirectory(dir);
                    done = true;
                    return written;
                } finally {
                    parent.deleteIfExists(tempName);
                    LiveTemps.remove(temp);
                    if (!done) {
                        removeEmpty(created);
                    }
                }
            } catch (Directory.Swapped e) {
                LiveTemps.remove(temp);
                throw swapped(path);
            }
        } catch (IOException e) {
            throw StorageFailureException.of("writing", path, e);
        }
    }

    private static void checkWritable(WorkspacePath path, Resolved r) {
        if (r.blockingFile() != null) {
            throw PathTypeException.parentIsFile(r.blockingFile(), path);
        }
        if (r.exists() && r.attributes().isDirectory()) {
            throw PathTypeException.isDirectory(path);
        }
    }

    /** Fills, syncs and stamps the temp file; returns the info the file will have once renamed into place. */
    private FileInfo writeTemp(WorkspacePath path, Directory dir, String temp, ContentWriter content,
                               WriteOptions options) throws IOException {
        try (FileChannel channel = dir.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             WriteBehindOutputStream behind = new WriteBehindOutputStream(channel, Channels.newOutputStream(channel))) {
            OutputStream buffered = new BufferedOutputStream(behind, BUFFER);
            CappedOutputStream out = new CappedOutputStream(buffered, path, limits.maxFileBytes());
            try {
                content.writeTo(out);
            } catch (StorageException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw StorageFailureException.contentFailed(path, e);
            }
            out.flush();
            if (options.sizeKnown() && out.written() != options.size()) {
                throw StorageFailureException.contentFailed(path, new IOException("received " + out.written()
                        + " bytes, announced " + options.size()));
            }
            channel.force(true);
        }
        dir.setModified(temp, nextStamp());
        BasicFileAttributes written = dir.attributes(temp);
        if (written == null) {
            throw new NoSuchFileException("the temp file was removed by another program during the write");
        }
        return info(path, written);
    }

    /** A modification time later than any this JVM has stamped before, so that etags never repeat. */
    private static FileTime nextStamp() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        return FileTime.from(LAST_STAMP_MICROS.updateAndGet(last -> Math.max(now, last + 1)), TimeUnit.MICROSECONDS);
    }

    private static void commit(WorkspacePath path, Directory dir, String temp, Path target, Precondition precondition)
            throws IOException {
        ReentrantLock lock = lockFor(target);
        lock.lock();
        try {
            BasicFileAttributes current = dir.attributes(path.name());
            if (current != null && current.isSymbolicLink()) {
                throw PathRejectedException.symbolicLink(path);
            }
            if (current != null && current.isDirectory()) {
                throw PathTypeException.isDirectory(path);
            }
            precondition.check(path, current == null ? null : info(path, current));
            if (precondition.kind() == Precondition.Kind.ABSENT && !dir.secure()) {
                createOnly(path, target.resolveSibling(temp), target);
            } else {
                // Create-only in a secure directory: checked absent above under this JVM's lock (no hard link,
                // which only takes paths that a swapped folder could redirect).
                dir.rename(temp, path.name());
            }
        } finally {
            lock.unlock();
        }
    }

    /** A hard link fails atomically if the name exists, even if another process just created it. */
    private static void createOnly(WorkspacePath path, Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw PathExistsException.of(path);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // No hard links on this file system: the existence check above and this JVM's lock must do.
            try {
                Files.move(temp, target);
            } catch (FileAlreadyExistsException exists) {
                throw PathExistsException.of(path);
            }
        }
    }

    /** A failed write takes back the directories it created, so it leaves nothing behind. */
    private static void removeEmpty(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                return; // someone else put something there meanwhile
            }
        }
    }

    /**
     * Creates the directories of {@code dir} that are missing, noting them in {@code created}; {@code forPath} is
     * named in errors.
     */
    private Path ensureDirectories(WorkspacePath dir, WorkspacePath forPath, List<Path> created) throws IOException {
        Path current = root;
        List<String> segments = dir.segments();
        for (int i = 0; i < segments.size(); i++) {
            current = current.resolve(segments.get(i));
            BasicFileAttributes a = attributes(current);
            if (a == null) {
                try {
                    Files.createDirectory(current);
                    created.add(current);
                    continue;
                } catch (FileAlreadyExistsException e) {
                    a = attributes(current);
                }
            }
            if (a != null && a.isSymbolicLink()) {
                throw PathRejectedException.symbolicLink(dir.head(i + 1));
            }
            if (a == null || !a.isDirectory()) {
                throw PathTypeException.parentIsFile(dir.head(i + 1), forPath);
            }
        }
        return current;
    }

    /** Makes renames and deletes in the directory durable; not every platform can, which is acceptable. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public FileInfo createDirectory(WorkspacePath path) {
        try {
            Resolved r = resolve(path);
            if (r.blockingFile() != null) {
                throw PathTypeException.parentIsFile(r.blockingFile(), path);
            }
            if (r.exists() && !r.attributes().isDirectory()) {
                throw PathTypeException.notDirectory(path);
            }
            Path created = ensureDirectories(path, path, new ArrayList<>());
            return info(path, attributes(created));
        } catch (IOException e) {
            throw StorageFailureException.of("creating", path, e);
        }
    }

    @Override
    public void delete(WorkspacePath path, Precondition precondition) {
        if (path.isRoot()) {
            throw PathRejectedException.root("deleted");
        }
        if (precondition.kind() == Precondition.Kind.ABSENT) {
            throw new IllegalArgumentException("delete takes no 'absent' precondition");
        }
        try {
            Resolved r = resolve(path);
            ReentrantLock lock = lockFor(r.file());
            lock.lock();
            try {
                BasicFileAttributes a = r.blockingFile() == null ? attributes(r.file()) : null;
                if (a == null) {
                    throw precondition.kind() == Precondition.Kind.ETAG ? EtagMismatchException.gone(path)
                            : PathNotFoundException.of(path);
                }
                if (a.isSymbolicLink()) {
                    throw PathRejectedException.symbolicLink(path);
                }
                if (a.isDirectory()) {
                    if (precondition.kind() == Precondition.Kind.ETAG) {
                        throw PathTypeException.noEtag(path);
                    }
                    deleteDirectory(path, r.file());
                } else {
                    deleteFile(path, precondition, a);
                }
            } finally {
                lock.unlock();
            }
            syncDirectory(r.file().getParent());
        } catch (IOException e) {
            throw StorageFailureException.of("deleting", path, e);
        }
    }

    /** Unlinks the file in its directory opened without following links, so a swapped folder cannot redirect it. */
    private void deleteFile(WorkspacePath path, Precondition precondition, BasicFileAttributes checked)
            throws IOException {
        try (Directory parent = Directory.open(root, path.parent())) {
            BasicFileAttributes a = parent.attributes(path.name());
            if (a == null || !a.isRegularFile() || !Objects.equals(a.fileKey(), checked.fileKey())) {
                throw swapped(path);
            }
            precondition.check(path, info(path, a));
            parent.deleteIfExists(path.name());
        } catch (NoSuchFileException | Directory.Swapped e) {
            throw swapped(path);
        }
    }

    /** Temp files left by a crashed write do not keep a directory the user sees as empty from going. */
    private static void deleteDirectory(WorkspacePath path, Path dir) throws IOException {
        try {
            Files.delete(dir);
        } catch (DirectoryNotEmptyException e) {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(entries::add);
            }
            if (!entries.stream().allMatch(p -> p.getFileName().toString().startsWith(TEMP_PREFIX))) {
                throw NonEmptyDirectoryException.of(path);
            }
            for (Path litter : entries) {
                Files.deleteIfExists(litter);
            }
            Files.delete(dir);
        }
    }

    @Override
    public FileInfo move(WorkspacePath source, WorkspacePath destination, Precondition target) {
        StorageChecks.checkTransfer(source, destination, "moved");
        try {
            Resolved src = resolve(source);
            if (!src.exists()) {
                throw PathNotFoundException.of(source);
            }
            Resolved dst = resolve(destination);
            if (dst.blockingFile() != null) {
                throw PathTypeException.parentIsFile(dst.blockingFile(), destination);
            }
            Path dir = ensureDirectories(destination.parent(), destination, new ArrayList<>());
            List<ReentrantLock> locks = locksFor(src.file(), dst.file());
            locks.forEach(ReentrantLock::lock);
            try {
                BasicFileAttributes s = attributes(src.file());
                if (s == null) {
                    throw PathNotFoundException.of(source);
                }
                checkTarget(destination, s.isDirectory(), attributes(dst.file()), target);
                if (target.kind() == Precondition.Kind.ABSENT) {
                    moveNoReplace(src.file(), dst.file(), s.isDirectory(), destination);
                } else {
                    Files.move(src.file(), dst.file(), StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                locks.forEach(ReentrantLock::unlock);
            }
            syncDirectory(dir);
            syncDirectory(src.file().getParent());
            return stat(destination);
        } catch (IOException e) {
            throw StorageFailureException.of("moving", source, e);
        }
    }

    private static void moveNoReplace(Path from, Path to, boolean directory, WorkspacePath destination)
            throws IOException {
        try {
            if (directory) {
                Files.move(from, to);
            } else {
                // Link then unlink: never overwrites, and a crash in between leaves two names, not none.
                try {
                    Files.createLink(to, from);
                } catch (UnsupportedOperationException | FileSystemException e) {
                    if (e instanceof FileAlreadyExistsException) {
                        throw e;
                    }
                    Files.move(from, to);
                    return;
                }
                Files.delete(from);
            }
        } catch (FileAlreadyExistsException e) {
            throw PathExistsException.of(destination);
        }
    }

    /** What may be at a move's or copy's destination, given its precondition. */
    private static void checkTarget(WorkspacePath destination, boolean sourceIsDirectory, BasicFileAttributes a,
                                    Precondition target) {
        if (a == null) {
            target.check(destination, null);
            return;
        }
        if (a.isSymbolicLink()) {
            throw PathRejectedException.symbolicLink(destination);
        }
        if (sourceIsDirectory) {
            throw PathExistsException.directoryTarget(destination);
        }
        if (a.isDirectory() && target.kind() == Precondition.Kind.NONE) {
            throw PathTypeException.isDirectory(destination);
        }
        target.check(destination, info(destination, a));
    }

    @Override
    public FileInfo copy(WorkspacePath source, WorkspacePath destination, Precondition target) {
        StorageChecks.checkTransfer(source, destination, "copied");
        try {
            Resolved src = resolve(source);
            if (!src.exists()) {
                throw PathNotFoundException.of(source);
            }
            if (!src.attributes().isDirectory()) {
                try (FileContent content = read(source, ByteRange.ALL)) {
                    return write(destination, content.stream(), new WriteOptions(target, content.length()));
                }
            }
            Resolved dst = resolve(destination);
            if (dst.blockingFile() != null) {
                throw PathTypeException.parentIsFile(dst.blockingFile(), destination);
            }
            checkTarget(destination, true, dst.attributes(), target);
            copyTree(source, destination);
            return stat(destination);
        } catch (IOException e) {
            throw StorageFailureException.of("copying", source, e);
        }
    }

    private void copyTree(WorkspacePath from, WorkspacePath to) throws IOException {
        createDirectory(to);
        for (FileInfo entry : entries(from, resolve(from).file())) {
            WorkspacePath next = to.child(entry.name());
            if (entry.isDirectory()) {
                copyTree(entry.path(), next);
            } else {
                try (FileContent content = read(entry.path(), ByteRange.ALL)) {
                    write(next, content.stream(), new WriteOptions(Precondition.absent(), content.length()));
                }
            }
        }
    }

    @Override
    public Listing list(WorkspacePath directory, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        try {
            Path dir = directoryFile(directory);
            // Keep only the first maxEntries names, so a directory of millions does not fill the heap.
            Comparator<FileInfo> byName = Comparator.comparing(FileInfo::name);
            PriorityQueue<FileInfo> kept = new PriorityQueue<>(byName.reversed());
            boolean truncated = false;
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path file : stream) {
                    FileInfo entry = entry(directory, file);
                    if (entry == null) {
                        continue;
                    }
                    kept.add(entry);
                    if (kept.size() > maxEntries) {
                        kept.poll();
                        truncated = true;
                    }
                }
            }
            List<FileInfo> entries = new ArrayList<>(kept);
            entries.sort(byName);
            return new Listing(entries, truncated);
        } catch (IOException e) {
            throw StorageFailureException.of("listing", directory, e);
        }
    }

    /** The directory's file, or the error an agent should see when it is not a directory. */
    private Path directoryFile(WorkspacePath directory) throws IOException {
        Resolved r = resolve(directory);
        if (!r.exists()) {
            throw PathNotFoundException.of(directory);
        }
        if (!r.attributes().isDirectory()) {
            throw PathTypeException.notDirectory(directory);
        }
        return r.file();
    }

    /** A directory entry as the workspace shows it, or null for what it hides (links, temp files, bad names). */
    private static FileInfo entry(WorkspacePath directory, Path file) throws IOException {
        String name = file.getFileName().toString();
        WorkspacePath path;
        try {
            path = directory.child(name);
        } catch (PathRejectedException e) {
            return null;
        }
        if (!path.name().equals(name)) {
            return null; // not NFC (made outside Caravan): the API's path would name another file
        }
        BasicFileAttributes a = attributes(file);
        if (a == null || !(a.isRegularFile() || a.isDirectory())) {
            return null;
        }
        return info(path, a);
    }

    /** All visible entries of a directory, sorted by name. */
    private static List<FileInfo> entries(WorkspacePath directory, Path dir) throws IOException {
        List<FileInfo> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path file : stream) {
                FileInfo entry = entry(directory, file);
                if (entry != null) {
                    entries.add(entry);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        entries.sort(Comparator.comparing(FileInfo::name));
        return entries;
    }

    @Override
    public Listing walk(WorkspacePath directory, WalkOptions options) {
        try {
            Path dir = directoryFile(directory);
            long deadline = System.nanoTime() + options.timeLimit().toNanos();
            List<FileInfo> found = new ArrayList<>();
            boolean truncated = walk(directory, dir, 1, options, deadline, found);
            return new Listing(found, truncated);
        } catch (IOException e) {
            throw StorageFailureException.of("listing", directory, e);
        }
    }

    /** Depth first, children by name: that is path order. Returns true when a cap stopped it. */
    private static boolean walk(WorkspacePath directory, Path dir, int depth, WalkOptions options, long deadline,
                                List<FileInfo> found) throws IOException {
        for (FileInfo entry : entries(directory, dir)) {
            if (options.exclude().test(entry.path())) {
                continue;
            }
            if (found.size() >= options.maxEntries() || System.nanoTime() > deadline) {
                return true;
            }
            found.add(entry);
            if (entry.isDirectory() && depth < options.maxDepth()
                    && walk(entry.path(), dir.resolve(entry.name()), depth + 1, options, deadline, found)) {
                return true;
            }
        }
        return false;
    }

    private static ReentrantLock lockFor(Path file) {
        return LOCKS[Math.floorMod(file.hashCode(), LOCK_STRIPES)];
    }

    /** Both paths' locks, each once, always in the same order so two moves cannot deadlock. */
    private static List<ReentrantLock> locksFor(Path a, Path b) {
        int i = Math.floorMod(a.hashCode(), LOCK_STRIPES);
        int j = Math.floorMod(b.hashCode(), LOCK_STRIPES);
        if (i == j) {
            return List.of(LOCKS[i]);
        }
        return i < j ? List.of(LOCKS[i], LOCKS[j]) : List.of(LOCKS[j], LOCKS[i]);
    }

    @Override
    public int sweepAbandoned(Instant olderThan) {
        pins.sweep();
        int[] removed = {0};
        try {
            // walkFileTree does not follow links, so a link planted in the workspace cannot point the sweep outside.
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    String name = file.getFileName().toString();
                    if (a.isRegularFile() && name.startsWith(TEMP_PREFIX) && name.endsWith(".part")
                            && a.lastModifiedTime().toInstant().isBefore(olderThan) && !LiveTemps.contains(file)
                            && Files.deleteIfExists(file)) {
                        removed[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: the next sweep tries again
                }
            });
        } catch (IOException e) {
            throw StorageFailureException.of("cleaning", WorkspacePath.ROOT, e);
        }
        return removed[0];
    }

    @Override
    public String toString() {
        return "LocalStorage";
    }
}
