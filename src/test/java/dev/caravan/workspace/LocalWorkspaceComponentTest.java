package dev.caravan.workspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The workspace: component on a local directory. */
class LocalWorkspaceComponentTest extends WorkspaceComponentContract {
    @TempDir
    Path data;

    @Override
    Workspaces newWorkspaces() {
        return new Workspaces(data, 10, name -> null);
    }

    @Override
    WorkspaceConfig config() {
        return new WorkspaceConfig("ws", WorkspaceConfig.Backend.LOCAL, null, null, null, 3, null);
    }

    @Override
    List<String> secrets() {
        return List.of(data.toString());
    }

    @Test
    void keepsVersionsInTheReservedAreaOfTheDefaultRoot() throws Exception {
        ok("write_file", "path", "a.txt", "content", "1");
        ok("write_file", "path", "a.txt", "content", "2");
        Path root = data.resolve("workspaces/ws");
        assertThat(Files.readString(root.resolve("a.txt"))).isEqualTo("2");
        try (var versions = Files.walk(root.resolve(".caravan-versions"))) {
            assertThat(versions.filter(Files::isRegularFile).toList()).hasSize(1);
        }
    }

    @Test
    void theWorkspaceHeaderPicksAnotherWorkspace() {
        workspaces.apply(List.of(config(), new WorkspaceConfig("other", WorkspaceConfig.Backend.LOCAL, "second",
                data.resolve("elsewhere").toString(), null, null, null)));
        ok("write_file", "workspace", "other", "path", "o.txt", "content", "in other");
        assertThat(failure("read_text_file", "path", "o.txt")).contains("does not exist");
        assertThat(ok("read_text_file", "workspace", "other", "path", "o.txt")).isEqualTo("in other");
        assertThat(data.resolve("elsewhere/o.txt")).exists();
        assertThat(ok("list_workspaces")).contains("ws (local").contains("other (local, keeps 10 versions per file): second");
    }

    @Test
    void symlinksOutOfTheWorkspaceAreRefused() throws Exception {
        Path root = data.resolve("workspaces/ws");
        Path outside = Files.writeString(data.resolve("secret.txt"), "top secret");
        Files.createSymbolicLink(root.resolve("link.txt"), outside);
        assertThat(failure("read_text_file", "path", "link.txt")).contains("symbolic link").doesNotContain("secret.txt'");
        assertThat(Files.readString(outside)).isEqualTo("top secret");
    }
}
