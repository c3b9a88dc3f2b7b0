package dev.caravan.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.caravan.support.ToolCalls.call;
import static dev.caravan.support.ToolCalls.error;
import static dev.caravan.support.ToolCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credential scopes and workspace ownership end to end: the shipped workspace tools on an endpoint "files", opened
 * with credentials of different scopes, through the SDK client on both transports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopesAndOwnershipIT extends CaravanIntegrationTest {
    static final Set<String> READ_TOOLS = Set.of("list_workspaces", "list_allowed_directories", "read_text_file", "read_file",
            "read_media_file",
            "read_multiple_files", "list_directory", "list_directory_with_sizes", "directory_tree", "search_files",
            "grep_files", "get_file_info", "list_versions", "import_status", "import_list", "drive_connections");
    static final Set<String> UNTAGGED = Set.of("workspace_transfer", "workspace_claim", "sneaky_write");

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    dev.caravan.workspace.audit.AuditTrail audit;

    Published full;

    @DynamicPropertySource
    static void fastReconcile(DynamicPropertyRegistry registry) {
        registry.add("caravan.workspace.reconcile-interval", () -> "300ms");
        registry.add("caravan.workspace.max-created-per-principal", () -> "3");
    }

    @BeforeAll
    void routes() throws IOException {
        installRoutes("workspace");
        // A tool without a scope tag whose route writes directly: the component must still refuse a reader.
        writeRouteAndAwait("sneaky.yaml", """
                - route:
                    id: sneaky-write
                    from:
                      uri: ai-tool:sneaky_write
                      parameters:
                        tags: workspace
                        description: Writes a file, carrying no scope tag
                        parameter.workspace: string
                        parameter.path: string
                        parameter.content: string
                      steps:
                        - to: workspace:default?operation=write_file&workspaceHeader=workspace
                """);
        full = publish("files", "workspace");
    }

    /** POST .../credentials; fails the test unless 201. */
    Published credential(String name, String json) {
        HttpResponse<String> r = admin("POST", "/admin/api/endpoints/files/credentials", json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode n = json(r.body());
        assertThat(n.path("credential").asText()).isEqualTo(name);
        return new Published("files", n.get("url").asText(), n.get("secretUrl").asText(), n.get("sseUrl").asText(),
                n.get("token").asText());
    }





    void with(Published credential, Transport transport, Consumer<McpSyncClient> body) {
        McpSyncClient client = initialized(client(transport, credential));
        try {
            body.accept(client);
        } finally {
            client.closeGracefully();
        }
    }

    static Set<String> toolNames(McpSyncClient client) {
        return client.listTools().tools().stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
    }

    // ---- hostile first

    @Test
    void aReadOnlyCredentialSeesOnlyReadToolsOnBothTransportsAndCannotWriteEvenThroughARoute() {
        Published reader = credential("reader", "{\"name\":\"reader\",\"operations\":[\"read\"]}");
        for (Transport transport : Transport.values()) {
            with(reader, transport, c -> {
                assertThat(toolNames(c)).as(transport.name()).containsExactlyInAnyOrderElementsOf(
                        Stream.concat(READ_TOOLS.stream(), UNTAGGED.stream()).toList());
                // A tool not listed is not callable either: the view's SDK server does not know it.
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> call(c, "write_file", "path", "r.txt",
                        "content", "x")).isInstanceOf(io.modelcontextprotocol.spec.McpError.class)
                        .hasMessageContaining("Unknown tool");
                String refusal = error(c, "sneaky_write", "path", "r.txt", "content", "x");
                assertThat(refusal).contains("files/reader").contains("Missing scope: write")
                        .doesNotContain("/tmp").doesNotContain("Exception");
                assertThat(ok(c, "list_workspaces")).contains("default (local");
            });
        }
        assertThat(dataDir.resolve("workspaces/default/r.txt")).doesNotExist();
        // Each refusal is in the audit trail, as denied, with the path that was tried.
        assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from workspace_audit where principal = 'files/reader' and "
                + "operation = 'write_file' and outcome = 'denied' and path = 'r.txt'", Integer.class))
                .isEqualTo(Transport.values().length);
        // The full credential still sees everything, on both transports, while the reader's view exists.
        for (Transport transport : Transport.values()) {
            with(full, transport, c -> assertThat(toolNames(c)).contains("write_file", "workspace_create",
                    "sneaky_write", "read_text_file"));
        }
        with(full, Transport.STREAMABLE, c -> {
            ok(c, "sneaky_write", "path", "by-full.txt", "content", "yes");
            assertThat(ok(c, "read_text_file", "path", "by-full.txt")).startsWith("yes");
        });
        with(reader, Transport.STREAMABLE, c -> assertThat(ok(c, "read_text_file", "path", "by-full.txt"))
                .startsWith("yes"));
    }

    @Test
    void workspacePatternScopesLimitWhichWorkspacesACredentialReaches() {
        assertThat(admin("POST", "/admin/api/workspaces", "{\"name\":\"team-a\",\"description\":\"Team A\"}")
                .statusCode()).isEqualTo(201);
        Published team = credential("team", "{\"name\":\"team\",\"workspaces\":[\"team-*\"],\"operations\":[\"read\",\"write\"]}");
        with(team, Transport.STREAMABLE, c -> {
            ok(c, "write_file", "workspace", "team-a", "path", "t.txt", "content", "team");
            assertThat(error(c, "write_file", "workspace", "default", "path", "t.txt", "content", "x"))
                    .contains("outside its scopes").contains("team-*");
            assertThat(error(c, "read_text_file", "workspace", "default", "path", "by-nobody.txt"))
                    .contains("outside its scopes");
            // Not even whether a workspace exists leaks outside the scopes.
            assertThat(error(c, "read_text_file", "workspace", "secret-x", "path", "a.txt"))
                    .contains("outside its scopes").doesNotContain("no workspace");
            String listed = ok(c, "list_workspaces");
            assertThat(listed).contains("team-a (local").doesNotContain("default (");
            // Lock and share tools would be hidden too; the listing of tools lacks nothing read/write.
            assertThat(toolNames(c)).contains("write_file", "read_text_file");
        });
    }

    @Test
    void anExpiredOrDeletedCredentialIsRefusedAndSecretsAreNeverListed() throws Exception {
        Published brief = credential("brief", "{\"name\":\"brief\",\"expiresInSeconds\":1}");
        Published gone = credential("gone", "{\"name\":\"gone\",\"operations\":[\"read\"]}");
        Thread.sleep(1500);
        HttpResponse<String> expired = send(mcpPost(brief, null, initializeRequest(1)).build());
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(send(mcpPost(gone, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);

        String listed = admin("GET", "/admin/api/endpoints/files/credentials", null).body();
        assertThat(listed).contains("\"gone\"").contains("\"operations\":[\"read\"]")
                .doesNotContain(gone.token()).doesNotContain(gone.token().substring(4))
                .doesNotContain("tokenHash").doesNotContain("token");
        assertThat(admin("GET", "/admin/api/endpoints/files", null).body()).contains("\"workspaces\":[\"*\"]");

        assertThat(admin("DELETE", "/admin/api/endpoints/files/credentials/gone", null).statusCode()).isEqualTo(204);
        assertThat(send(mcpPost(gone, null, initializeRequest(1)).build()).statusCode()).isEqualTo(401);
        assertThat(admin("DELETE", "/admin/api/endpoints/files/credentials/gone", null).statusCode()).isEqualTo(404);
    }

    @Test
    void badCredentialRequestsAreRefused() {
        Map<String, Integer> cases = Map.of(
                "{\"name\":\"x1\",\"operations\":[\"delete\"]}", 400,
                "{\"name\":\"x2\",\"workspaces\":[\"../etc\"]}", 400,
                "{\"name\":\"Bad Name\"}", 400,
                "{\"name\":\"default\"}", 409,
                "{\"name\":\"x3\",\"expiresInSeconds\":-5}", 400,
                "{\"name\":\"x4\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}", 400,
                "{\"operations\":[\"read\"]}", 400);
        cases.forEach((body, status) -> assertThat(admin("POST", "/admin/api/endpoints/files/credentials", body)
                .statusCode()).as(body).isEqualTo(status));
        credential("twice", "{\"name\":\"twice\"}");
        assertThat(admin("POST", "/admin/api/endpoints/files/credentials", "{\"name\":\"twice\"}").statusCode())
                .isEqualTo(409);
        assertThat(admin("POST", "/admin/api/endpoints/nope/credentials", "{\"name\":\"a\"}").statusCode())
                .isEqualTo(404);
        assertThat(admin("DELETE", "/admin/api/endpoints/files/credentials/default", null).statusCode()).isEqualTo(409);
        // Without the admin token: nothing.
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(baseUrl()
                        + "/admin/api/endpoints/files/credentials")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"sneak\"}")).build());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void transferByANonOwnerIsRefusedAndClaimTokensWorkOnceForTheRightPrincipalUntilTheyExpire() {
        Published alice = credential("alice", "{\"name\":\"alice\",\"workspaces\":[\"none\"],\"operations\":[\"read\",\"write\"]}");
        Published bob = credential("bob", "{\"name\":\"bob\",\"workspaces\":[\"none\"],\"operations\":[\"read\",\"write\"]}");
        Published carol = credential("carol", "{\"name\":\"carol\",\"workspaces\":[\"none\"],\"operations\":[\"read\"]}");
        String[] token = new String[1];
        with(alice, Transport.STREAMABLE, c -> {
            assertThat(ok(c, "workspace_create", "name", "alice-notes", "description", "Alice's")).contains("files/alice");
            // The owner may use it although its workspace scopes ("none") do not cover it.
            ok(c, "write_file", "workspace", "alice-notes", "path", "a.txt", "content", "from alice");
            assertThat(ok(c, "list_workspaces")).contains("alice-notes (local, keeps 10 versions per file, owner files/alice): Alice's")
                    .doesNotContain("default (");
        });
        with(bob, Transport.STREAMABLE, c -> {
            assertThat(error(c, "read_text_file", "workspace", "alice-notes", "path", "a.txt")).contains("outside its scopes");
            assertThat(error(c, "workspace_transfer", "workspace", "alice-notes", "to", "files/bob"))
                    .contains("Missing scope: admin");
            assertThat(error(c, "workspace_transfer", "workspace", "alice-notes", "issueClaimToken", true))
                    .contains("Missing scope: admin");
        });
        with(alice, Transport.STREAMABLE, c -> {
            assertThat(error(c, "workspace_transfer", "workspace", "alice-notes", "to", "not a principal"))
                    .contains("endpoint/credential");
            String issued = ok(c, "workspace_transfer", "workspace", "alice-notes", "issueClaimToken", true,
                    "to", "files/bob", "keepAccess", true);
            token[0] = issued.replaceAll("(?s).*(cvw_[A-Za-z0-9_-]+).*", "$1");
            assertThat(token[0]).startsWith("cvw_");
        });
        assertThat(jdbc.queryForObject("select count(*) from workspace_claim where token_hash = ?", Integer.class,
                token[0])).as("stored hashed, never as the token").isZero();
        with(carol, Transport.STREAMABLE, c -> assertThat(error(c, "workspace_claim", "token", token[0]))
                .contains("meant for another principal"));
        with(bob, Transport.SSE, c -> {
            assertThat(ok(c, "workspace_claim", "token", token[0])).contains("now own workspace 'alice-notes'");
            assertThat(error(c, "workspace_claim", "token", token[0])).contains("used already");
            assertThat(ok(c, "read_text_file", "workspace", "alice-notes", "path", "a.txt")).startsWith("from alice");
            assertThat(ok(c, "list_workspaces")).contains("owner files/bob");
        });
        // Alice kept access (a grant) as she asked.
        with(alice, Transport.STREAMABLE, c -> ok(c, "write_file", "workspace", "alice-notes", "path", "b.txt", "content", "still"));
        assertThat(json(admin("GET", "/admin/api/workspaces", null).body()).findValues("grants").toString())
                .contains("files/alice");

        // A claim token that expired, and one voided by a direct transfer.
        String[] late = new String[2];
        with(bob, Transport.STREAMABLE, c -> {
            late[0] = ok(c, "workspace_transfer", "workspace", "alice-notes", "issueClaimToken", true)
                    .replaceAll("(?s).*(cvw_[A-Za-z0-9_-]+).*", "$1");
        });
        jdbc.update("update workspace_claim set expires_at = ? where used_at is null",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)));
        with(carol, Transport.STREAMABLE, c -> assertThat(error(c, "workspace_claim", "token", late[0])).contains("expired"));
        with(bob, Transport.STREAMABLE, c -> {
            late[1] = ok(c, "workspace_transfer", "workspace", "alice-notes", "issueClaimToken", true)
                    .replaceAll("(?s).*(cvw_[A-Za-z0-9_-]+).*", "$1");
            // Directly to carol, without keeping access: bob's own claim token dies with the handover.
            assertThat(ok(c, "workspace_transfer", "workspace", "alice-notes", "to", "files/carol")).contains("files/carol");
            assertThat(error(c, "read_text_file", "workspace", "alice-notes", "path", "a.txt")).contains("outside its scopes");
        });
        with(carol, Transport.STREAMABLE, c -> {
            assertThat(error(c, "workspace_claim", "token", late[1])).contains("not valid");
            assertThat(error(c, "workspace_claim", "token", "cvw_made-up")).contains("not valid");
            // A read-only owner may still do everything on its own workspace through the tools it sees.
            assertThat(ok(c, "read_text_file", "workspace", "alice-notes", "path", "a.txt")).startsWith("from alice");
            assertThat(toolNames(c)).doesNotContain("write_file", "workspace_create");
        });
    }

    @Test
    void aRouteWhoseScopeTagIsLowerThanItsStepsNeedIsRefusedWithFileLineAndReason() {
        // The first route is fine; the second shows its tool to readers but writes (line 19).
        writeRoute("mislabelled.yaml", """
                - route:
                    id: fine-read
                    from:
                      uri: ai-tool:fine_read
                      parameters:
                        tags: workspace,workspace-read
                        description: Reads, tagged read
                        parameter.path: string
                      steps:
                        - to: workspace:default?operation=read_text_file
                - route:
                    id: mislabelled-write
                    from:
                      uri: ai-tool:mislabelled_write
                      parameters:
                        tags: workspace,workspace-read
                        description: Writes, tagged read
                      steps:
                        - to: workspace:default?operation=write_file
                """);
        await(Duration.ofSeconds(15), "mislabelled.yaml refused", () -> routeStatus("mislabelled.yaml") != null
                && "failed".equals(routeStatus("mislabelled.yaml").path("state").asText()));
        JsonNode status = routeStatus("mislabelled.yaml");
        assertThat(status.path("line").asInt()).as(status.toString()).isEqualTo(19);
        assertThat(status.path("error").asText()).contains("ai-tool:mislabelled_write").contains("workspace-read")
                .contains("write_file").contains("needs workspace-write").contains("Add the tag workspace-write");
        // Nothing of the file is loaded: not even its good route.
        with(full, Transport.STREAMABLE, c -> assertThat(toolNames(c)).doesNotContain("fine_read", "mislabelled_write"));

        // A scope tag for one operation does not cover another: share needs workspace-share.
        writeRoute("mislabelled.yaml", """
                - route:
                    id: mislabelled-share
                    from:
                      uri: ai-tool:mislabelled_share
                      parameters:
                        tags: workspace-read,workspace-write
                        description: Shares, tagged read and write
                      steps:
                        - to: workspace:default?operation=share_create
                """);
        await(Duration.ofSeconds(15), "mislabelled share refused", () -> routeStatus("mislabelled.yaml")
                .path("error").asText().contains("share_create"));
        assertThat(routeStatus("mislabelled.yaml").path("line").asInt()).isEqualTo(9);
        assertThat(routeStatus("mislabelled.yaml").path("error").asText()).contains("scope tags workspace-read, "
                + "workspace-write").contains("needs workspace-share");

        // Tagged with what it needs, it loads.
        writeRoute("mislabelled.yaml", """
                - route:
                    id: labelled-write
                    from:
                      uri: ai-tool:labelled_write
                      parameters:
                        tags: workspace,workspace-write
                        description: Writes, tagged write
                      steps:
                        - to: workspace:default?operation=write_file
                """);
        await(Duration.ofSeconds(15), "labelled-write loaded", () -> "loaded".equals(routeStatus("mislabelled.yaml")
                .path("state").asText()));
        deleteRoute("mislabelled.yaml");
    }

    @Test
    void readOnlyCredentialsCannotCreateWorkspacesAndCreationIsCapped() {
        Published reader = credential("reader2", "{\"name\":\"reader2\",\"operations\":[\"read\"]}");
        writeRoute("create-direct.yaml", """
                - route:
                    id: create-direct
                    from:
                      uri: ai-tool:create_direct
                      parameters:
                        tags: workspace
                        description: Creates a workspace, carrying no scope tag
                        parameter.name: string
                      steps:
                        - to: workspace:default?operation=workspace_create
                """);
        await(Duration.ofSeconds(15), "create-direct loaded", () -> routeStatus("create-direct.yaml") != null
                && "loaded".equals(routeStatus("create-direct.yaml").path("state").asText()));
        with(reader, Transport.STREAMABLE, c -> {
            // The route is loaded; endpoints pick catalogue changes up a moment later (debounced).
            await(Duration.ofSeconds(10), "create_direct published", () -> toolNames(c).contains("create_direct"));
            assertThat(toolNames(c)).doesNotContain("workspace_create");
            assertThat(error(c, "create_direct", "name", "by-reader")).contains("Missing scope: write");
        });
        Published maker = credential("maker", "{\"name\":\"maker\",\"workspaces\":[\"none\"],\"operations\":[\"write\"]}");
        with(maker, Transport.STREAMABLE, c -> {
            assertThat(error(c, "workspace_create", "name", "default")).contains("exists already");
            assertThat(error(c, "workspace_create", "name", "../escape")).contains("name");
            ok(c, "workspace_create", "name", "m1");
            ok(c, "workspace_create", "name", "m2");
            ok(c, "workspace_create", "name", "m3");
            assertThat(error(c, "workspace_create", "name", "m4")).contains("the most one principal may");
        });
        assertThat(dataDir.resolve("workspaces/m1")).isDirectory();
        assertThat(Files.exists(dataDir.resolve("escape"))).isFalse();
        deleteRoute("create-direct.yaml");
    }

    @Test
    void runtimeWorkspacesAreListedUsableMergedWithTheFileAndDeletable() throws Exception {
        assertThat(admin("POST", "/admin/api/workspaces", "{\"name\":\"default\"}").statusCode()).isEqualTo(409);
        assertThat(admin("POST", "/admin/api/workspaces", "{\"name\":\"../x\"}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/api/workspaces", "{\"name\":\"s\",\"backend\":\"s3\",\"options\":"
                + "{\"bucket\":\"b\",\"access-key-id\":\"k\",\"secret-access-key\":\"plain-secret\"}}").statusCode())
                .as("a secret must be an ${ENV} reference").isEqualTo(400);
        assertThat(admin("POST", "/admin/api/workspaces", "{\"name\":\"y\",\"bogus\":1}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/api/workspaces", "{\"name\":\"y\",\"owner\":\"nobody\"}").statusCode()).isEqualTo(400);

        HttpResponse<String> created = admin("POST", "/admin/api/workspaces",
                "{\"name\":\"reports\",\"backend\":\"local\",\"description\":\"Reports\",\"owner\":\"files/rita\","
                        + "\"options\":{\"versions\":2}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created.body()).path("source").asText()).isEqualTo("api");
        assertThat(json(created.body()).path("owner").asText()).isEqualTo("files/rita");
        assertThat(json(created.body()).path("versionsKept").asInt()).isEqualTo(2);
        with(full, Transport.STREAMABLE, c -> {
            assertThat(ok(c, "list_workspaces")).contains("default (local, keeps 10 versions per file, owner admin)")
                    .contains("reports (local, keeps 2 versions per file, owner files/rita): Reports");
            ok(c, "write_file", "workspace", "reports", "path", "r.md", "content", "# R");
        });
        assertThat(dataDir.resolve("workspaces/reports/r.md")).hasContent("# R");

        // Another node creates one: it appears here at the next reconcile.
        jdbc.update("insert into workspace (name, declaration, created_at, created_by) values (?, ?, ?, ?)",
                "elsewhere", "{\"name\":\"elsewhere\",\"description\":\"From node 2\"}",
                java.sql.Timestamp.from(java.time.Instant.now()), "admin");
        await(Duration.ofSeconds(10), "the other node's workspace", () -> admin("GET", "/admin/api/workspaces", null)
                .body().contains("\"elsewhere\""));
        with(full, Transport.STREAMABLE, c -> ok(c, "write_file", "workspace", "elsewhere", "path", "e.txt", "content", "e"));

        assertThat(admin("DELETE", "/admin/api/workspaces/default", null).statusCode()).isEqualTo(409);
        assertThat(admin("DELETE", "/admin/api/workspaces/missing", null).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/api/workspaces/reports", null).statusCode()).isEqualTo(204);
        assertThat(dataDir.resolve("workspaces/reports/r.md")).as("kept without purge").exists();
        assertThat(jdbc.queryForObject("select count(*) from workspace_owner where workspace = 'reports'", Integer.class)).isZero();
        assertThat(admin("DELETE", "/admin/api/workspaces/elsewhere?purge=true", null).statusCode()).isEqualTo(204);
        assertThat(dataDir.resolve("workspaces/elsewhere")).doesNotExist();
        with(full, Transport.STREAMABLE, c -> {
            assertThat(ok(c, "list_workspaces")).doesNotContain("reports").doesNotContain("elsewhere");
            assertThat(error(c, "read_text_file", "workspace", "reports", "path", "r.md")).contains("no workspace 'reports'");
        });
    }
}
