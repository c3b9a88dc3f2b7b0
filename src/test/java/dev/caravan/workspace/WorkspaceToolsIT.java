package dev.caravan.workspace;

import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.support.ToolCalls;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.caravan.support.ToolCalls.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workspace file tools as shipped: routes/workspace/*.yaml on the committed connectors/workspaces.yaml
 * (workspace "default"), published on an endpoint and called with the SDK client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkspaceToolsIT extends CaravanIntegrationTest {
    static final List<String> TOOLS = List.of("list_workspaces", "list_allowed_directories", "read_text_file", "read_file", "read_media_file",
            "read_multiple_files", "write_file", "edit_file", "create_directory", "list_directory",
            "list_directory_with_sizes", "directory_tree", "move_file", "copy_file", "delete_file", "search_files",
            "grep_files", "get_file_info", "list_versions", "restore_version", "workspace_create", "workspace_transfer",
            "workspace_claim", "share_create", "share_list", "share_revoke",
            "lock_acquire", "lock_status", "lock_renew", "lock_release", "audit_search",
            "import_url", "import_status", "import_list", "import_cancel", "drive_connect", "drive_connections",
            "drive_disconnect");

    McpSyncClient client;

    @BeforeAll
    void routesAndClient() throws IOException {
        installRoutes("workspace");
        client = initialized(streamableClient(publish("files", "workspace")));
    }

    @AfterAll
    void close() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    McpSchema.CallToolResult call(String tool, Object... args) {
        return ToolCalls.call(client, tool, args);
    }


    String ok(String tool, Object... args) {
        return ToolCalls.ok(client, tool, args);
    }

    String error(String tool, Object... args) {
        return ToolCalls.error(client, tool, args);
    }

    @Test
    void everyToolIsListedWithHintsAndTheDefaultWorkspaceWorks() {
        Map<String, McpSchema.Tool> tools = client.listTools().tools().stream()
                .collect(Collectors.toMap(McpSchema.Tool::name, t -> t));
        assertThat(tools.keySet()).containsExactlyInAnyOrderElementsOf(TOOLS);
        assertThat(tools.get("read_text_file").annotations().readOnlyHint()).isTrue();
        assertThat(tools.get("delete_file").annotations().destructiveHint()).isTrue();
        assertThat(tools.get("create_directory").annotations().idempotentHint()).isTrue();
        assertThat(String.valueOf(tools.get("edit_file").inputSchema().get("properties"))).contains("path=", "edits=",
                "dryRun=");
        assertThat(ok("list_workspaces")).startsWith("default (local");
        assertThat(json(admin("GET", "/admin/api/workspaces-file", null).body()).path("state").asText())
                .isEqualTo("loaded");
        assertThat(json(admin("GET", "/admin/api/workspaces", null).body()).get(0).path("name").asText())
                .isEqualTo("default");
    }

    @Test
    void writeReadEditMoveAndRestoreThroughTheEndpoint() {
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            content.append("row ").append(i).append('\n');
        }
        assertThat(ok("write_file", "path", "e2e/data.txt", "content", content.toString())).contains("Wrote");
        McpSchema.CallToolResult head = call("read_text_file", "path", "e2e/data.txt", "head", 2);
        assertThat(head.content()).hasSize(2);
        assertThat(((McpSchema.TextContent) head.content().get(0)).text()).isEqualTo("row 1\nrow 2");
        assertThat(((McpSchema.TextContent) head.content().get(1)).text()).contains("lines 1-2 of 20");
        assertThat(head.structuredContent()).isEqualTo(Map.of("content", "row 1\nrow 2"));
        assertThat(ok("read_text_file", "workspace", "default", "path", "e2e/data.txt", "tail", 1))
                .startsWith("row 20\n").contains("lines 20-20 of 20");

        String dry = ok("edit_file", "path", "e2e/data.txt", "dryRun", true,
                "edits", List.of(Map.of("oldText", "row 3", "newText", "row three")));
        assertThat(dry).contains("Dry run").contains("```diff").contains("-row 3").contains("+row three");
        assertThat(ok("read_text_file", "path", "e2e/data.txt", "offset", 3, "limit", 1)).startsWith("row 3\n");
        assertThat(error("edit_file", "path", "e2e/data.txt",
                "edits", List.of(Map.of("oldText", "row 3x", "newText", "y")))).contains("nearest text");

        ok("write_file", "path", "e2e/other.txt", "content", "other");
        assertThat(error("move_file", "source", "e2e/data.txt", "destination", "e2e/other.txt"))
                .contains("already exists");
        assertThat(ok("read_text_file", "path", "e2e/other.txt")).startsWith("other\n");
        ok("move_file", "source", "e2e/data.txt", "destination", "e2e/moved.txt");

        // Overwrite, then restore the overwritten version.
        ok("write_file", "path", "e2e/other.txt", "content", "replaced");
        String versions = ok("list_versions", "path", "e2e/other.txt");
        String id = versions.lines().skip(1).findFirst().orElseThrow().split(" ")[0];
        ok("restore_version", "path", "e2e/other.txt", "versionId", id);
        assertThat(ok("read_text_file", "path", "e2e/other.txt")).startsWith("other\n");

        // Delete, then restore the deleted file.
        assertThat(ok("delete_file", "path", "e2e/moved.txt")).contains("kept as a version");
        assertThat(error("read_text_file", "path", "e2e/moved.txt")).contains("does not exist");
        String deleted = ok("list_versions", "path", "e2e/moved.txt").lines().skip(1).findFirst().orElseThrow()
                .split(" ")[0];
        ok("restore_version", "path", "e2e/moved.txt", "versionId", deleted);
        assertThat(ok("read_text_file", "path", "e2e/moved.txt", "head", 1)).startsWith("row 1\n");
    }

    @Test
    void mediaFilesComeBackAsImageContent() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
        String data = java.util.Base64.getEncoder().encodeToString(png);
        ok("write_file", "path", "e2e/pixel.png", "content", data, "encoding", "base64");
        McpSchema.CallToolResult r = call("read_media_file", "path", "e2e/pixel.png");
        assertThat(r.isError()).isFalse();
        McpSchema.ImageContent image = (McpSchema.ImageContent) r.content().get(0);
        assertThat(image.mimeType()).isEqualTo("image/png");
        assertThat(image.data()).isEqualTo(data);
    }

    @Test
    void hostilePathsAreToolErrorsThatNameNothingOutsideTheWorkspace() {
        String root = dataDir.toAbsolutePath().toString();
        for (String hostile : List.of("../../etc/passwd", "/../etc/passwd", "%2e%2e/secret", "a/\u0000b", "..\\x",
                "e2e/../../x", ".caravan-versions/x")) {
            String message = error("read_text_file", "path", hostile);
            assertThat(message).doesNotContain(root).doesNotContain("/tmp").doesNotContain("root:x");
            assertThat(error("write_file", "path", hostile, "content", "x")).doesNotContain(root);
        }
        assertThat(error("list_directory", "workspace", "../default")).contains("no workspace");
        assertThat(error("read_media_file", "path", "nope.png")).isEqualTo("'nope.png' does not exist; list its "
                + "directory to see what is there.");
    }
}
