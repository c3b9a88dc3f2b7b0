package dev.caravan.imports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffThreadDigestTest {
    private static final int MB = 1024 * 1024;

    /** Sizes below, at and past the inline part, and several times the chunk buffers over. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096, OffThreadDigest.INLINE_BYTES, OffThreadDigest.INLINE_BYTES + 1, 3 * MB + 17,
            20 * MB})
    void theDigestIsTheSha256OfEveryByteInOrder(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        OffThreadDigest digest = new OffThreadDigest();
        Random pieces = new Random(7);
        for (int off = 0; off < size; ) {
            // uneven updates, some larger than a chunk buffer, as reads return them
            int n = Math.min(size - off, 1 + pieces.nextInt(OffThreadDigest.CHUNK * 2));
            digest.update(data, off, n);
            off += n;
        }
        assertThat(digest.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void theCallersBufferMayBeReusedAsSoonAsUpdateReturns() throws Exception {
        byte[] buffer = new byte[OffThreadDigest.CHUNK];
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        OffThreadDigest digest = new OffThreadDigest();
        for (int i = 0; i < 40; i++) {
            java.util.Arrays.fill(buffer, (byte) i);
            digest.update(buffer, 0, buffer.length);
            expected.update(buffer);
        }
        assertThat(digest.digest()).isEqualTo(expected.digest());
    }

    @Test
    void anAbandonedDigestLetsItsHasherGo() throws Exception {
        OffThreadDigest digest = new OffThreadDigest();
        byte[] data = new byte[8 * MB];
        digest.update(data, 0, data.length);
        digest.close();
        digest.close();
        // A second digest still works: the abandoned one holds no shared state.
        OffThreadDigest next = new OffThreadDigest();
        next.update(data, 0, data.length);
        assertThat(next.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void anInterruptedUpdateStopsTheImport() {
        OffThreadDigest digest = new OffThreadDigest();
        byte[] data = new byte[OffThreadDigest.INLINE_BYTES + OffThreadDigest.CHUNK];
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    digest.update(data, 0, data.length); // the buffers run out: update waits, and is interrupted
                }
            }).isInstanceOf(ImportFailure.class).extracting(e -> ((ImportFailure) e).reason())
                    .isEqualTo(ImportReason.CANCELLED);
        } finally {
            Thread.interrupted();
            digest.close();
        }
    }
}
