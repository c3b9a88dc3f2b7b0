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
        assertThatThrownBy(() -> WorkspacePath.of("/etc/passwd")).isInstanceOf(PathRejectedException.class)
                .hasMessage("Path '/etc/passwd' is absolute; give it relative to the workspace root, "
                        + "e.g. 'etc/passwd'.");
        assertThatThrownBy(() -> WorkspacePath.of("a/../../b")).hasMessageContaining("contains '..'");
        assertThatThrownBy(() -> WorkspacePath.of("%2e%2e/x")).hasMessageContaining("percent-encoded");
        assertThatThrownBy(() -> WorkspacePath.of("a\\b")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> WorkspacePath.of("C:/x")).hasMessageContaining("drive letter");
        assertThatThrownBy(() -> WorkspacePath.of("a\u0000b")).hasMessage(
                "Path 'a\\u0000b' contains a control character (such as NUL or a line break); remove it.");
        assertThatThrownBy(() -> WorkspacePath.of(null)).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(() -> WorkspacePath.of("x".repeat(256))).hasMessageContaining("255 bytes");
        assertThatThrownBy(() -> WorkspacePath.of("abcdefghij/".repeat(100))).hasMessageContaining("1024 bytes");
        assertThatThrownBy(() -> WorkspacePath.of(".caravan-tmp-1")).hasMessageContaining("reserved");
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
