package dev.caravan.imports;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SHA-256 of an import's bytes, computed on a thread of its own. Hashing costs about as much CPU as the socket
 * reads and the disk writes together (SHA-256 runs at about 1.7 GB/s on one core here), so on the import's thread
 * it doubled the time a large download took; on a second thread it overlaps them. {@link #update} copies the bytes
 * into one of a few chunk buffers (a copy of bytes still in cache costs a small part of hashing them) and returns; it
 * waits only when the hasher is that many chunks behind. The first {@value #INLINE_BYTES} bytes are hashed inline:
 * for a small file a hand-off would cost more than it saves. Call {@link #close} in any case.
 */
final class OffThreadDigest implements AutoCloseable {
    static final int CHUNK = 256 * 1024;
    static final int INLINE_BYTES = 1024 * 1024;
    private static final int BUFFERS = 4;
    private static final Chunk END = new Chunk(new byte[0], 0);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService HASHERS = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "caravan-import-hash-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private record Chunk(byte[] bytes, int length) {
    }

    private final MessageDigest digest;
    private long inline;
    private BlockingQueue<byte[]> free;
    private BlockingQueue<Chunk> full;
    private Future<?> hasher;
    private boolean closed;

    OffThreadDigest() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void update(byte[] b, int off, int len) {
        if (hasher == null && inline + len <= INLINE_BYTES) {
            digest.update(b, off, len);
            inline += len;
            return;
        }
        if (hasher == null) {
            start();
        }
        while (len > 0) {
            int n = Math.min(len, CHUNK);
            byte[] slot = take(free);
            System.arraycopy(b, off, slot, 0, n);
            full.add(new Chunk(slot, n)); // room: at most BUFFERS chunks are out, and END has its own place
            off += n;
            len -= n;
        }
    }

    private void start() {
        free = new ArrayBlockingQueue<>(BUFFERS);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[CHUNK]);
        }
        full = new ArrayBlockingQueue<>(BUFFERS + 1);
        BlockingQueue<byte[]> returned = free;
        BlockingQueue<Chunk> queued = full;
        hasher = HASHERS.submit(() -> {
            while (true) {
                Chunk c = queued.take();
                if (c == END) {
                    return null;
                }
                digest.update(c.bytes(), 0, c.length());
                returned.add(c.bytes());
            }
        });
    }

    /** The SHA-256 of everything updated, once the hasher has caught up. */
    byte[] digest() {
        if (hasher != null) {
            close();
            try {
                hasher.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImportFailure(ImportReason.CANCELLED, "The import was stopped.");
            } catch (ExecutionException e) {
                throw new IllegalStateException("hashing failed", e.getCause());
            }
        }
        return digest.digest();
    }

    /** No more bytes come: the hasher finishes the chunks handed over and its thread is let go. */
    @Override
    public void close() {
        if (hasher != null && !closed) {
            closed = true;
            full.add(END);
        }
    }

    private static byte[] take(BlockingQueue<byte[]> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportFailure(ImportReason.CANCELLED, "The import was stopped.");
        }
    }
}
