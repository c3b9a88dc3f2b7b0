package dev.caravan.workspace.storage;

import dev.caravan.support.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes path parsing with hostile text (traversal, encodings, backslashes, control and bidi characters, long and
 * non-ASCII names): a path is either refused with a message or comes out canonical, and a file written through an
 * accepted path lands inside the workspace.
 */
class WorkspacePathPropertyTest {
    private static final String[] PIECES = {"..", ".", "/", "//", "\\", "%2e", "%2E%2e", "%2f", "%5c", "%00", "\u0000",
            "\n", "\r", "\t", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u0085", "\u2028", "\u00ad", "C:", "c:/",
            "~", "...", ".caravan-", "e\u0301", "\u00e9", "\u212b", "A\u030a", "\ud800", "\udc00", "\ud83d\ude00",
            "\uff0e\uff0e", "\u2024\u2024", " ", "a", "docs", "notes.md", "\u65e5\u672c", "x".repeat(200)};

    @TempDir
    Path tmp;

    /** Pieces of known-hostile path text and arbitrary code points, joined in any order. */
    static String hostile(Fuzz f) {
        StringBuilder b = new StringBuilder();
        int n = f.between(0, 12);
        for (int i = 0; i < n; i++) {
            b.append(f.chance(0.6) ? f.pick(PIECES) : f.string(6));
            if (f.chance(0.5)) {
                b.append('/');
            }
        }
        if (f.chance(0.03)) {
            b.append("y/".repeat(f.between(300, 600)));   // past the 1024-byte limit
        }
        return b.toString();
    }

    /** Mostly acceptable names (dots, spaces, accents, NFD, wide and four-byte characters), a few hostile pieces. */
    static String nameLike(Fuzz f) {
        StringBuilder b = new StringBuilder(f.chance(0.2) ? "/" : "");
        int n = f.between(1, 4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(f.pick("/", "/", "//", "/./"));
            }
            b.append(f.chance(0.15) ? f.pick(PIECES) : f.pick("a", "b", ".hidden", "x y", "e\u0301", "\u00c5", "A\u030a",
                    "\u65e5\u672c", "\ud83d\ude00", "-", "_", "..a", "a..", "n" + f.between(0, 9)) + f.text(3));
        }
        return b.toString();
    }

    @Test
    void anyStringIsRefusedOrCanonical() {
        Fuzz.forAll(20_000, WorkspacePathPropertyTest::hostile, WorkspacePathPropertyTest::refusedOrCanonical);
    }

    @Test
    void arbitraryCodePointsAreRefusedOrCanonical() {
        Fuzz.forAll(20_000, f -> f.string(40), WorkspacePathPropertyTest::refusedOrCanonical);
    }

    static void refusedOrCanonical(String raw) {
        WorkspacePath path;
        try {
            path = WorkspacePath.of(raw);
        } catch (PathRejectedException e) {
            assertThat(e.getMessage()).isNotBlank().startsWith("Path").doesNotContain("\u0000");
            return;
        }
        String text = path.toString();
        assertThat(text).doesNotStartWith("/").doesNotEndWith("/").doesNotContain("\\").doesNotContain("//");
        assertThat(Normalizer.isNormalized(text, Normalizer.Form.NFC)).isTrue();
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(WorkspacePath.MAX_PATH_BYTES);
        text.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            assertThat(type).as("U+%04X", cp).isNotIn((int) Character.CONTROL, (int) Character.FORMAT,
                    (int) Character.SURROGATE, (int) Character.LINE_SEPARATOR, (int) Character.PARAGRAPH_SEPARATOR);
        });
        for (String segment : path.segments()) {
            assertThat(segment).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..").doesNotContain("/")
                    .doesNotStartWith(WorkspacePath.RESERVED_PREFIX);
            assertThat(segment.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(WorkspacePath.MAX_SEGMENT_BYTES);
        }
        assertThat(WorkspacePath.of(text)).isEqualTo(path);
        assertThat(WorkspacePath.of(text).toString()).isEqualTo(text);
    }

    @Test
    void writesThroughAcceptedPathsStayInsideTheRoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path realRoot = root.toRealPath();
        try (LocalStorage storage = new LocalStorage(root, StorageLimits.DEFAULT)) {
            int[] written = {0};
            Fuzz.forAll(600, WorkspacePathPropertyTest::nameLike, raw -> {
                WorkspacePath path;
                try {
                    path = WorkspacePath.of(raw);
                } catch (PathRejectedException e) {
                    return;
                }
                if (path.isRoot()) {
                    return;
                }
                byte[] content = ("content of " + raw).getBytes(StandardCharsets.UTF_8);
                try {
                    storage.write(path, new ByteArrayInputStream(content), WriteOptions.overwrite());
                } catch (PathTypeException | PathExistsException e) {
                    return;   // an earlier try made a file where this path needs a directory, or the reverse
                }
                written[0]++;
                try (FileContent read = storage.read(path, ByteRange.ALL)) {
                    assertThat(read.stream().readAllBytes()).isEqualTo(content);
                }
                Path onDisk = realRoot.resolve(path.toString()).toRealPath();
                assertThat(onDisk).startsWith(realRoot);
                assertThat(Files.readAllBytes(onDisk)).isEqualTo(content);
            });
            assertThat(written[0]).as("some writes succeeded").isGreaterThan(100);
        }
        try (Stream<Path> outside = Files.list(tmp)) {
            assertThat(outside).containsExactly(tmp.resolve("ws"));
        }
    }
}
