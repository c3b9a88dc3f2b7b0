package dev.caravan.workspace.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's content for a PUT of announced length. A PUT stores whatever arrives within the announced length,
 * so a source that is longer must fail the upload before its last byte goes out, and one that breaks must be told
 * apart from a network failure: both are the caller's fault, not the storage's.
 */
final class ExactLengthInputStream extends FilterInputStream {
    private long remaining;
    private boolean sourceFailed;

    ExactLengthInputStream(InputStream in, long length) {
        super(in);
        this.remaining = length;
    }

    /** True when the source threw, ended early or was longer than announced. */
    boolean sourceFailed() {
        return sourceFailed || remaining > 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return len == 0 ? 0 : -1;
        }
        int n;
        try {
            n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0 && n == remaining && in.read() >= 0) {
                throw new IOException("the content is longer than announced");
            }
        } catch (IOException e) {
            sourceFailed = true;
            throw e;
        }
        if (n > 0) {
            remaining -= n;
        }
        return n;
    }

    /** The stream belongs to the caller, who closes it. */
    @Override
    public void close() {
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
