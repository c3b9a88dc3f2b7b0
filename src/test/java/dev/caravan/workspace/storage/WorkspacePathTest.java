package dev.caravan.workspace.storage;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkspacePathTest {
    @Test
    void normalisesHarmlessForms() {
        assertThat(WorkspacePath.of("")).isEqualTo(WorkspacePath.ROOT);
        assertThat(WorkspacePath.of(".")).isEqualTo(WorkspacePath.ROOT);
        assertThat(WorkspacePath.of("./")).isEqualTo(WorkspacePath.ROOT);
        assertThat(WorkspacePath.of("./docs//notes/./a.md/").toString()).isEqualTo("docs/notes/a.md");
        assertThat(WorkspacePath.of("docs/").toString()).isEqualTo("docs");
        assertThat(WorkspacePath.of("50% off.txt").toString()).isEqualTo("50% off.txt");
        assertThat(WorkspacePath.of("a..b/.hidden/~x").segments()).containsExactly("a..b", ".hidden", "~x");
        assertThat(WorkspacePath.of("notes:2024.md").toString()).isEqualTo("notes:2024.md");
    }

    @Test
    void explainsEachRejection() {
        assertThatThrownBy(() -> WorkspacePath.of("/../etc/passwd")).hasMessageContaining("contains '..'");
        assertThatThrownBy(() -> WorkspacePath.of("a/../../b")).hasMessageContaining("contains '..'");
        assertThatThrownBy(() -> WorkspacePath.of("%2e%2e/x")).hasMessageContaining("percent-encoded");
        assertThatThrownBy(() -> WorkspacePath.of("a\\b")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> WorkspacePath.of("C:/x")).hasMessageContaining("drive letter");
        // Found by WorkspacePathPropertyTest: a "./" or "//" before the drive hid it, and "C:" then came out canonical.
        assertThatThrownBy(() -> WorkspacePath.of("./c://")).hasMessageContaining("drive letter");
        assertThatThrownBy(() -> WorkspacePath.of(".//C:/x")).hasMessageContaining("drive letter");
        assertThatThrownBy(() -> WorkspacePath.of("a\u0000b")).hasMessage(
                "Path 'a\\u0000b' contains a control character (such as NUL or a line break); remove it.");
        assertThatThrownBy(() -> WorkspacePath.of(null)).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(() -> WorkspacePath.of("x".repeat(256))).hasMessageContaining("255 bytes");
        assertThatThrownBy(() -> WorkspacePath.of("abcdefghij/".repeat(100))).hasMessageContaining("1024 bytes");
        assertThatThrownBy(() -> WorkspacePath.of(".caravan-tmp-1")).hasMessageContaining("reserved");
    }

    @Test
    void aLeadingSlashMeansTheWorkspaceRoot() {
        assertThat(WorkspacePath.of("/")).isEqualTo(WorkspacePath.ROOT);
        assertThat(WorkspacePath.of("///")).isEqualTo(WorkspacePath.ROOT);
        assertThat(WorkspacePath.of("/notes/a.md").toString()).isEqualTo("notes/a.md");
        assertThat(WorkspacePath.of("//server/share/x").toString()).isEqualTo("server/share/x");
        assertThat(WorkspacePath.of("/./a/").toString()).isEqualTo("a");
        for (String stillRefused : List.of("/..", "/../x", "//../x", "/a/../../x", "/%2e%2e/x", "/a\\b",
                "/C:/x", "/.caravan-tmp-1")) {
            assertThatThrownBy(() -> WorkspacePath.of(stillRefused)).as(stillRefused)
                    .isInstanceOf(PathRejectedException.class);
        }
    }

    @Test
    void namesAreNormalisedToNfcSoOneNameIsOneFile() {
        String nfc = "caf\u00e9.md";
        String nfd = "cafe\u0301.md";
        assertThat(WorkspacePath.of(nfd)).isEqualTo(WorkspacePath.of(nfc));
        assertThat(WorkspacePath.of("d/" + nfd).toString()).isEqualTo("d/" + nfc);
        assertThat(WorkspacePath.ROOT.child(nfd).name()).isEqualTo(nfc);
        assertThat(WorkspacePath.of("\uD55C\uAE00").toString()).isEqualTo("\uD55C\uAE00");
        assertThat(WorkspacePath.of("\u1112\u1161\u11AB").toString()).isEqualTo("\uD55C");
    }

    @Test
    void refusesInvisibleAndDirectionControlCharactersNamingTheCodePoint() {
        for (int cp : new int[]{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E,
                0x200F, 0x061C, 0x0085, 0x2028, 0x2029, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E,
                0xFFF9, 0xE0001, 0x0080, 0x009F}) {
            String raw = "invoice" + new String(Character.toChars(cp)) + "fdp.exe";
            String name = String.format("U+%04X", cp);
            assertThatThrownBy(() -> WorkspacePath.of(raw)).as(name).isInstanceOf(PathRejectedException.class)
                    .hasMessageContaining(name).hasMessageNotContaining(new String(Character.toChars(cp)));
        }
        assertThatThrownBy(() -> WorkspacePath.of("a\u202Etxt.exe")).hasMessage("Path 'a\\u202Etxt.exe' contains "
                + "U+202E (RIGHT-TO-LEFT OVERRIDE), an invisible or text-direction character that can disguise a "
                + "name; remove it.");
        // Ordinary non-Latin text, spaces and emoji (with its variation selector and joiner-free) stay fine.
        assertThat(WorkspacePath.of("\u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627.txt"))
                .isNotNull();
        assertThat(WorkspacePath.of("\u65E5\u672C\u8A9E/r\u00E9sum\u00E9 \uD83D\uDE00\uFE0F.md")).isNotNull();
        assertThat(WorkspacePath.of("a\u00A0b\u3000c")).isNotNull();
    }

    @Test
    void comparesSegmentBySegmentSoDirectoriesPrecedeTheirNeighbours() {
        TreeSet<WorkspacePath> sorted = new TreeSet<>();
        for (String p : List.of("a-b", "a/b", "a", "b", "a/a", "ab")) {
            sorted.add(WorkspacePath.of(p));
        }
        assertThat(sorted.stream().map(WorkspacePath::toString)).containsExactly("a", "a/a", "a/b", "a-b", "ab", "b");
    }

    @Test
    void startsWithIsSegmentWiseNotTextual() {
        WorkspacePath ws = WorkspacePath.of("ws");
        assertThat(WorkspacePath.of("ws/a").startsWith(ws)).isTrue();
        assertThat(WorkspacePath.of("ws2/a").startsWith(ws)).isFalse();
        assertThat(WorkspacePath.of("ws").startsWith(WorkspacePath.ROOT)).isTrue();
        assertThat(WorkspacePath.of("ws2/a").relativeTo(WorkspacePath.of("ws2")).toString()).isEqualTo("a");
    }

    @Test
    void navigates() {
        WorkspacePath p = WorkspacePath.of("a/b/c.txt");
        assertThat(p.name()).isEqualTo("c.txt");
        assertThat(p.parent().toString()).isEqualTo("a/b");
        assertThat(p.depth()).isEqualTo(3);
        assertThat(p.ancestors().stream().map(WorkspacePath::toString)).containsExactly("a", "a/b");
        assertThat(WorkspacePath.of("a").parent()).isEqualTo(WorkspacePath.ROOT);
        assertThat(WorkspacePath.ROOT.child("x").child("y").toString()).isEqualTo("x/y");
        assertThatThrownBy(() -> WorkspacePath.ROOT.child("..")).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(() -> WorkspacePath.ROOT.child("a/b")).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(WorkspacePath.ROOT::parent).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rangesResolveAgainstTheFileSize() {
        assertThat(ByteRange.ALL.header()).isNull();
        assertThat(ByteRange.from(5).header()).isEqualTo("bytes=5-");
        assertThat(ByteRange.of(5, 10).header()).isEqualTo("bytes=5-14");
        assertThat(ByteRange.last(3).header()).isEqualTo("bytes=-3");
        assertThat(ByteRange.last(3).start(10)).isEqualTo(7);
        assertThat(ByteRange.last(30).start(10)).isZero();
        assertThat(ByteRange.of(8, 10).length(10)).isEqualTo(2);
        assertThat(ByteRange.from(20).length(10)).isZero();
        assertThat(Precondition.etag("W/\"abc\"").etag()).isEqualTo("abc");
    }
}
