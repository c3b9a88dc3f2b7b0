package dev.caravan.workspace.storage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The stream a {@link ContentWriter} writes into: stops at the size limit, and turns failures of the storage
 * side into {@link StorageFailureException}, so that an IOException escaping the writer is known to be the
 * caller's (its source broke), not ours.
 */
final class CappedOutputStream extends FilterOutputStream {
    private final WorkspacePath path;
    private final long limit;
    private long written;

    CappedOutputStream(OutputStream out, WorkspacePath path, long limit) {
        super(out);
        this.path = path;
        this.limit = limit;
    }

    long written() {
        return written;
    }

    @Override
    public void write(int b) {
        reserve(1);
        try {
            out.write(b);
        } catch (IOException e) {
            throw StorageFailureException.of("writing", path, e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        reserve(len);
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw StorageFailureException.of("writing", path, e);
        }
    }

    private void reserve(int len) {
        if (written + len > limit) {
            throw FileTooLargeException.of(path, limit);
        }
        written += len;
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw StorageFailureException.of("writing", path, e);
        }
    }

    /** The storage closes the underlying stream itself, after syncing it. */
    @Override
    public void close() {
        flush();
    }
}
