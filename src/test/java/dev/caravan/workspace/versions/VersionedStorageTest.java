package dev.caravan.workspace.versions;

import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.LocalStorage;
import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.StorageLimits;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Versions on a local directory: the reserved area, keep 0, and racing writers. */
class VersionedStorageTest {
    @TempDir
    Path root;

    static WorkspacePath p(String path) {
        return WorkspacePath.of(path);
    }

    static void write(VersionedStorage s, String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        s.write(p(path), new ByteArrayInputStream(bytes), WriteOptions.overwrite().withSize(bytes.length));
    }

    static String read(VersionedStorage s, WorkspacePath path, String id) throws Exception {
        try (FileContent c = id == null ? s.read(path, ByteRange.ALL) : s.readVersion(path, id)) {
            return new String(c.stream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theReservedAreaCannotBeNamedByUsers() {
        WorkspacePath area = WorkspacePath.reserved("versions", p("x/y"));
        assertThat(area.toString()).isEqualTo(".caravan-versions/x/y");
        assertThatThrownBy(() -> WorkspacePath.of(area.toString())).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(() -> WorkspacePath.reserved("../x", WorkspacePath.ROOT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepingNoneChangesNothing() {
        VersionedStorage s = new VersionedStorage(new LocalStorage(root, StorageLimits.DEFAULT), 0);
        write(s, "a.txt", "1");
        write(s, "a.txt", "2");
        s.delete(p("a.txt"), Precondition.none());
        assertThat(s.versions(p("a.txt"))).isEmpty();
        assertThat(root.resolve(".caravan-versions")).doesNotExist();
    }

    @Test
    void racingWritersEachKeepExactlyTheVersionTheyReplaced() throws Exception {
        VersionedStorage s = new VersionedStorage(new LocalStorage(root, StorageLimits.DEFAULT), 1000);
        write(s, "hot.txt", "initial");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        write(s, "hot.txt", "t" + thread + "-" + i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<FileVersion> versions = s.versions(p("hot.txt"));
        assertThat(versions).hasSize(80);
        Set<String> seen = new HashSet<>();
        for (FileVersion v : versions) {
            seen.add(read(s, p("hot.txt"), v.id()));
        }
        seen.add(read(s, p("hot.txt"), null));
        assertThat(seen).hasSize(81).contains("initial", "t0-0", "t7-9");
    }
}
