package dev.caravan.workspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** workspaces.yaml: parsing, ${ENV} references, and a bad file changing nothing. */
class WorkspacesFileTest {
    @TempDir
    Path dir;

    static final String GOOD = """
            workspaces:
              - name: default
              - name: team
                backend: s3
                bucket: b
                prefix: team/docs
                endpoint: http://127.0.0.1:9000
                path-style: true
                access-key-id: "${KEY}"
                secret-access-key: "${SECRET}"
                versions: 2
                max-file-size: 10MB
            """;

    @Test
    void parsesBothBackends() {
        List<WorkspaceConfig> configs = WorkspaceConfigParser.parse(GOOD, "workspaces.yaml");
        assertThat(configs).hasSize(2);
        assertThat(configs.get(0).backend()).isEqualTo(WorkspaceConfig.Backend.LOCAL);
        WorkspaceConfig team = configs.get(1);
        assertThat(team.s3().secretAccessKey()).isEqualTo("${SECRET}");
        assertThat(team.s3().toString()).doesNotContain("SECRET");
        assertThat(team.versions()).isEqualTo(2);
        assertThat(team.maxFileBytes()).isEqualTo(10L << 20);
    }

    @Test
    void hardLinksAreRefusedUnlessALocalWorkspaceAllowsThem() {
        List<WorkspaceConfig> configs = WorkspaceConfigParser.parse("workspaces:\n  - name: a\n  - name: b\n"
                + "    allow-hard-links: true\n", "f");
        assertThat(configs).extracting(WorkspaceConfig::allowHardLinks).containsExactly(false, true);
        assertThatThrownBy(() -> WorkspaceConfigParser.parse("workspaces:\n  - name: s\n    backend: s3\n"
                + "    bucket: x\n    allow-hard-links: true\n", "f")).hasMessageContaining("allow-hard-links");
    }

    @Test
    void rejectsBadFilesNamingLineAndReason() {
        assertThatThrownBy(() -> WorkspaceConfigParser.parse("workspaces:\n  - name: a\n  - name: a\n", "f"))
                .hasMessageContaining("f line 3").hasMessageContaining("used twice");
        assertThatThrownBy(() -> WorkspaceConfigParser.parse("workspaces:\n  - name: a\n    bucket: x\n", "f"))
                .hasMessageContaining("unknown key 'bucket' for a local workspace");
        assertThatThrownBy(() -> WorkspaceConfigParser.parse("workspaces:\n  - name: s\n    backend: s3\n"
                + "    bucket: b\n    access-key-id: k\n    secret-access-key: plain\n", "f"))
                .hasMessageContaining("must be a ${ENV} reference");
        assertThatThrownBy(() -> WorkspaceConfigParser.parse("workspaces: [\n", "f"))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> WorkspaceConfigParser.parse("workspaces:\n  - name: a\n    backend: ftp\n", "f"))
                .hasMessageContaining("backend must be local or s3");
    }

    @Test
    void aBadFileOrAnUnsetVariableKeepsThePreviousWorkspaces() throws Exception {
        Workspaces workspaces = new Workspaces(dir.resolve("data"), 5, Map.of("KEY", "k")::get);
        WorkspacesFile file = new WorkspacesFile(dir, workspaces, Duration.ofSeconds(1));
        Files.writeString(dir.resolve("workspaces.yaml"), "workspaces:\n  - name: default\n");
        file.check();
        assertThat(file.status().state()).isEqualTo("loaded");
        Workspace before = workspaces.get("default");
        assertThat(Files.isDirectory(dir.resolve("data/workspaces/default"))).isTrue();

        Files.writeString(dir.resolve("workspaces.yaml"), "workspaces:\n  - name: default\n  - nme: x\n");
        file.check();
        assertThat(file.status().state()).isEqualTo("failed");
        assertThat(file.status().line()).isEqualTo(3);
        assertThat(workspaces.get("default")).isSameAs(before);

        Files.writeString(dir.resolve("workspaces.yaml"), GOOD);
        file.check();
        assertThat(file.status().state()).isEqualTo("failed");
        assertThat(file.status().error()).contains("workspace 'team'").contains("SECRET is not set");
        assertThat(workspaces.all()).extracting(Workspace::name).containsExactly("default");

        Files.writeString(dir.resolve("workspaces.yaml"), "workspaces:\n  - name: default\n  - name: other\n");
        file.check();
        assertThat(file.status().state()).isEqualTo("loaded");
        assertThat(workspaces.get("default")).isSameAs(before);
        assertThat(workspaces.all()).extracting(Workspace::name).containsExactly("default", "other");
        workspaces.close();
    }
}
