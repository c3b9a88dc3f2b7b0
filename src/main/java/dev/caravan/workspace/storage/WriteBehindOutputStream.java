package dev.caravan.workspace.storage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes to a file channel and, every {@link #STEP} bytes, starts an fdatasync of what is written so far on another
 * thread, so a large file goes to disk while the rest of it is still arriving and the final force has little left
 * to do. It also keeps a large upload from piling up gigabytes of dirty pages. At most one such flush runs at a time;
 * small files never start one. {@link #close} waits for it and does not close the channel.
 */
final class WriteBehindOutputStream extends FilterOutputStream {
    static final long STEP = 32L * 1024 * 1024;
    private static final ExecutorService FLUSHER = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "caravan-write-behind");
        thread.setDaemon(true);
        return thread;
    });

    private final FileChannel channel;
    private final long step;
    private long written;
    private long flushedUpTo;
    private CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);

    WriteBehindOutputStream(FileChannel channel, OutputStream out) {
        this(channel, out, STEP);
    }

    WriteBehindOutputStream(FileChannel channel, OutputStream out, long step) {
        super(out);
        this.channel = channel;
        this.step = step;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        advance(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        advance(len);
    }

    private void advance(int n) {
        written += n;
        if (written - flushedUpTo >= step && flushing.isDone()) {
            flushedUpTo = written;
            flushing = CompletableFuture.runAsync(this::force, FLUSHER);
        }
    }

    private void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
            // Only an early start: the writer's own final force reports any failure that matters.
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flushing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while a background flush ran", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }
}
