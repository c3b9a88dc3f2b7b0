package dev.caravan.workspace.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class WriteBehindOutputStreamTest {
    @TempDir
    Path tmp;

    @Test
    void flushesInTheBackgroundEveryStepOneAtATimeAndCloseWaitsForIt() throws Exception {
        Path file = tmp.resolve("big.bin");
        byte[] chunk = new byte[1000];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) i;
        }
        CountDownLatch release = new CountDownLatch(1);
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             CountingChannel channel = new CountingChannel(real, release)) {
            WriteBehindOutputStream out = new WriteBehindOutputStream(channel, Channels.newOutputStream(channel), 4000);
            for (int i = 0; i < 3; i++) {
                out.write(chunk);
            }
            assertThat(channel.forces.get()).as("below one step").isZero();
            out.write(chunk);
            assertThat(channel.started.await(5, TimeUnit.SECONDS)).as("a flush starts at 4,000 bytes").isTrue();
            for (int i = 0; i < 8; i++) {
                out.write(chunk); // past two more steps, while the first flush is still running
            }
            assertThat(channel.forces.get()).as("one flush at a time").isEqualTo(1);
            Thread closer = new Thread(() -> {
                try {
                    out.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            closer.start();
            closer.join(300);
            assertThat(closer.isAlive()).as("close waits for the running flush").isTrue();
            release.countDown();
            closer.join(5000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(real.isOpen()).as("the channel is the caller's to close").isTrue();
        }
        byte[] back = Files.readAllBytes(file);
        assertThat(back).hasSize(12_000);
        for (int i = 0; i < back.length; i++) {
            assertThat(back[i]).isEqualTo(chunk[i % 1000]);
        }
    }

    /** A file channel that counts forces and holds each one until released. */
    static final class CountingChannel extends FileChannel {
        final FileChannel real;
        final CountDownLatch release;
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger forces = new AtomicInteger();

        CountingChannel(FileChannel real, CountDownLatch release) {
            this.real = real;
            this.release = release;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forces.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            real.force(metaData);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() {
            // The real channel is closed by its own try-with-resources.
        }
    }
}
