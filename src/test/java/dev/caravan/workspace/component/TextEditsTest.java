package dev.caravan.workspace.component;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** edit_file's diff is a real patch: git applies it to the old text and gets the new one, byte for byte. */
class TextEditsTest {

    record Case(String name, String before, String after) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        StringBuilder longer = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            longer.append("line ").append(i).append('\n');
        }
        String changedTwice = longer.toString().replace("line 3\n", "line three\n").replace("line 27\n", "");
        return Stream.of(
                new Case("middle line of a 3-line file", "a\nb\nc\n", "a\nB\nc\n"),
                new Case("last line without newline", "a\nb\nc", "a\nb\nC"),
                new Case("newline added at the end", "a\nb", "a\nb\n"),
                new Case("newline removed at the end", "a\nb\n", "a\nb"),
                new Case("everything deleted", "a\nb\n", ""),
                new Case("empty file filled", "", "x\ny\n"),
                new Case("line appended", "a\nb\n", "a\nb\nc\n"),
                new Case("two hunks far apart", longer.toString(), changedTwice));
    }

    @Test
    void aThreeLineFileHasThreeLinesInTheHunkHeader() {
        assertThat(TextEdits.diff("a\nb\nc\n", "a\nB\nc\n", "f.txt"))
                .isEqualTo("--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
        assertThat(TextEdits.diff("a\nb", "a\nc", "f.txt")).endsWith("-b\n\\ No newline at end of file\n"
                + "+c\n\\ No newline at end of file\n");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gitAppliesTheDiff(Case c, @TempDir Path repo) throws Exception {
        git(repo, "init", "-q");
        Files.writeString(repo.resolve("f.txt"), c.before(), StandardCharsets.UTF_8);
        String diff = TextEdits.diff(c.before(), c.after(), "f.txt");
        Path patch = Files.writeString(repo.resolve("../" + repo.getFileName() + ".patch"), diff);
        try {
            assertThat(git(repo, "apply", "--check", patch.toString())).as(diff).isEmpty();
            git(repo, "apply", patch.toString());
            assertThat(Files.readString(repo.resolve("f.txt"))).as(diff).isEqualTo(c.after());
        } finally {
            Files.deleteIfExists(patch);
        }
    }

    @Test
    void editsKeepTheFinalNewline() {
        assertThat(TextEdits.apply("a\n  b\nc\n", List.of(new TextEdits.Edit("b\n", "B\n")), "f")).isEqualTo("a\n  B\nc\n");
        assertThat(TextEdits.apply("a\n  b\nc\n", List.of(new TextEdits.Edit("c", "C")), "f")).isEqualTo("a\n  b\nC\n");
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out).isZero();
        return out;
    }
}
