package dev.caravan.imports;

import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.http.WorkspaceWrites;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.FileTooLargeException;
import dev.caravan.workspace.storage.PathExistsException;
import dev.caravan.workspace.storage.StorageLimits;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import org.apache.tika.Tika;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one import: resolves its source, fetches through the guard, names the file, sniffs its type and streams it
 * through the workspace's atomic write ({@link WorkspaceWrites}: the lock guard, versions kept of a replaced file; a
 * failed or stopped stream leaves nothing behind), counting bytes and SHA-256 as they pass.
 */
final class ImportRunner {
    private static final int SNIFF_BYTES = 8192;
    private static final Tika TIKA = new Tika();

    /** What the node sees of a running job: bytes so far, the total when the server said. */
    static final class Progress {
        final AtomicLong bytes = new AtomicLong();
        volatile Long total;
    }

    private final Workspaces workspaces;
    private final WorkspaceWrites writes;
    private final ImportSources sources;
    private final WebFetcher fetcher;
    private final FolderImport.Caps folders;
    private final LinkPasswords passwords;

    ImportRunner(Workspaces workspaces, WorkspaceWrites writes, ImportSources sources, WebFetcher fetcher,
                 FolderImport.Caps folders, LinkPasswords passwords) {
        this.folders = folders;
        this.passwords = passwords;
        this.workspaces = workspaces;
        this.writes = writes;
        this.sources = sources;
        this.fetcher = fetcher;
    }

    ImportJobRepository.Outcome run(ImportJob job, Progress progress, FetchControl control) {
        Workspace workspace = workspaces.get(job.workspace());
        long max = workspace.config().maxFileBytes() != null ? workspace.config().maxFileBytes()
                : StorageLimits.DEFAULT.maxFileBytes();
        ImportSource.Resolved resolved = sources.get(job.provider()).resolve(URI.create(job.url()),
                context(job, control, max));
        if (resolved instanceof ImportSource.Folder folder) {
            return new FolderImport(this, job, workspace, max, folders).run(folder, progress, control);
        }
        ImportSource.Download download = (ImportSource.Download) resolved;
        Written w = write(job, workspace, download, max, job.target(), 0, progress, control);
        return new ImportJobRepository.Outcome(ImportState.DONE, null, null, null, w.bytes(), progress.total,
                w.path(), w.etag(), w.sha256(), w.contentType(), null);
    }

    /** One file stored. */
    record Written(String path, String etag, String sha256, String contentType, long bytes) {
    }

    private ImportSource.Context context(ImportJob job, FetchControl control, long max) {
        return new ImportSource.Context() {
            @Override
            public String principal() {
                return job.principal();
            }

            @Override
            public ImportSource.Reply call(ImportSource.Download request) {
                return fetcher.call(request, control);
            }

            @Override
            public int folderMaxFiles() {
                return folders.maxFiles();
            }

            @Override
            public long folderMaxBytes() {
                return folders.maxBytes();
            }

            @Override
            public int folderMaxDepth() {
                return folders.maxDepth();
            }

            @Override
            public String exportFormat() {
                return job.exportFormat();
            }

            @Override
            public String linkPassword() {
                return passwords.open(job);
            }

            @Override
            public long maxFileBytes() {
                return max;
            }

            @Override
            public java.time.Instant deadline() {
                return control.deadline();
            }
        };
    }

    /**
     * Fetches one download into {@code target} (a folder ending in '/' or a file path); {@code before} bytes were
     * imported by earlier files of the same job (progress counts on from there).
     */
    Written write(ImportJob job, Workspace workspace, ImportSource.Download download, long max, String target,
                  long before, Progress progress, FetchControl control) {
        if (download.size() != null && download.size() > max) {
            throw tooLarge(max); // the metadata says so: not one byte is fetched
        }
        try (WebFetcher.Response response = fetcher.open(download, control)) {
            if (before == 0) {
                progress.total = response.length >= 0 ? Long.valueOf(response.length) : download.size();
            }
            if (response.length > max) {
                throw tooLarge(max);
            }
            String given = download.name() == null ? null : FileNames.sanitise(download.name());
            String name = given != null ? given : FileNames.choose(response.contentDisposition, response.url);
            WorkspacePath path = target(target, name);
            PushbackInputStream peek = new PushbackInputStream(response.body, SNIFF_BYTES);
            byte[] head = peek.readNBytes(SNIFF_BYTES);
            peek.unread(head);
            String type = TIKA.detect(head, path.name());
            if (!download.htmlAllowed() && ("text/html".equals(type) || "application/xhtml+xml".equals(type))) {
                throw new ImportFailure(ImportReason.HTML_INTERSTITIAL, "The server sent an HTML page where a file "
                        + "was expected (html_interstitial), e.g. a sign-in or virus-scan page.");
            }
            Counting counting = new Counting(peek, max, before, progress);
            WriteOptions options = options(workspace, job.onConflict(), path);
            path = options == null ? free(workspace, path) : path;
            WriteOptions chosen = options == null ? WriteOptions.createOnly() : options;
            if (response.length >= 0) {
                chosen = chosen.withSize(response.length);
            }
            FileInfo written;
            try (counting.digest) {
                written = writes.write(new WorkspaceWrites.Actor(job.principal(), job.endpoint(), List.of()),
                        workspace, path, counting, chosen);
            } catch (RuntimeException e) {
                throw counting.failure != null ? counting.failure : e;
            }
            return new Written(written.path().toString(), written.etag(),
                    HexFormat.of().formatHex(counting.digest.digest()), type, counting.count);
        } catch (IOException e) {
            throw WebFetcher.failure(e);
        } catch (FileTooLargeException e) {
            throw tooLarge(-1);
        } catch (PathExistsException e) {
            throw new ImportFailure(ImportReason.ALREADY_EXISTS, "A file is already at the target path "
                    + "(already_exists); pick another path or set onConflict to rename or overwrite.");
        }
    }

    /** The file to write: the folder's child named after the response, or the file path given. */
    static WorkspacePath target(String target, String name) {
        if (target == null || target.isBlank() || target.equals("/")) {
            return WorkspacePath.ROOT.child(name);
        }
        WorkspacePath given = WorkspacePath.of(target.endsWith("/") ? target.substring(0, target.length() - 1) : target);
        return target.endsWith("/") ? given.child(name) : given;
    }

    /** Overwrite or fail-if-present; null for rename (the free name is picked next). */
    private static WriteOptions options(Workspace workspace, String onConflict, WorkspacePath path) {
        switch (onConflict) {
            case "overwrite":
                return WriteOptions.overwrite();
            case "fail":
                if (workspace.storage().find(path).isPresent()) {
                    throw new PathExistsException(path.toString());
                }
                return WriteOptions.createOnly();
            default:
                return null;
        }
    }

    /** {@code name}, else {@code name (1)}, {@code name (2)} ... (a race for it fails the write: createOnly). */
    private static WorkspacePath free(Workspace workspace, WorkspacePath path) {
        WorkspacePath parent = path.parent();
        for (int n = 0; n < 1000; n++) {
            WorkspacePath candidate = n == 0 ? path : parent.child(FileNames.numbered(path.name(), n));
            if (workspace.storage().find(candidate).isEmpty()) {
                return candidate;
            }
        }
        throw new ImportFailure(ImportReason.ALREADY_EXISTS, "Too many files named like " + path.name()
                + " (already_exists); choose a file path.");
    }

    static ImportFailure tooLarge(long max) {
        return new ImportFailure(ImportReason.TOO_LARGE, "The file is larger than this workspace takes"
                + (max > 0 ? " (" + max + " bytes" + ")" : "") + " (too_large); nothing was written.");
    }

    /** Counts, hashes and caps the bytes on their way into storage; remembers why it stopped a stream. */
    private static final class Counting extends FilterInputStream {
        final OffThreadDigest digest = new OffThreadDigest();
        final long max;
        final Progress progress;
        final long before;
        long count;
        RuntimeException failure;

        Counting(InputStream in, long max, long before, Progress progress) {
            super(in);
            this.max = max;
            this.before = before;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (ImportFailure f) {
                failure = f;
                throw f;
            } catch (IOException e) {
                failure = WebFetcher.failure(e);
                throw e;
            }
            if (n > 0) {
                count += n;
                if (count > max) {
                    failure = tooLarge(max);
                    throw failure;
                }
                try {
                    digest.update(b, off, n);
                } catch (ImportFailure f) {
                    failure = f;
                    throw f;
                }
                progress.bytes.set(before + count);
            }
            return n;
        }
    }
}
