package dev.caravan.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Reads a request body with a deadline for the whole of it. Tomcat's socket timeout bounds one silent read only,
 * so a client trickling a byte every few seconds would otherwise hold a request thread for as long as it likes.
 */
final class BodyReads {
    private BodyReads() {
    }

    static final class TooSlow extends IOException {
        TooSlow() {
            super("request body too slow");
        }
    }

    /** Up to {@code max} bytes; throws {@link TooSlow} once {@code deadline} has passed with the body unfinished. */
    static byte[] readWithin(InputStream in, int max, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
        byte[] buffer = new byte[8192];
        while (out.size() < max) {
            int n = in.read(buffer, 0, Math.min(buffer.length, max - out.size()));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            if (System.nanoTime() > end) {
                throw new TooSlow();
            }
        }
        return out.toByteArray();
    }
}
