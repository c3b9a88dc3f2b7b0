package dev.caravan.workspace.http;

import dev.caravan.workspace.storage.ContentWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies request and response bodies in large chunks. InputStream.transferTo uses 8 KiB, which for a 1 GiB body
 * means 131,072 reads and writes through Tomcat and the file channel; 256 KiB cuts that 32-fold. Tomcat hands a
 * request body over a few KiB per read, so each chunk is filled before it is written: a full chunk passes the
 * storage's write buffer without being copied into it.
 */
final class Streams {
    static final int CHUNK = 256 * 1024;

    private Streams() {
    }

    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[CHUNK];
        int filled;
        while ((filled = in.readNBytes(buffer, 0, CHUNK)) > 0) {
            out.write(buffer, 0, filled);
        }
    }

    /** The body as content for a storage write (read to its end, not closed). */
    static ContentWriter from(InputStream in) {
        return out -> copy(in, out);
    }
}
