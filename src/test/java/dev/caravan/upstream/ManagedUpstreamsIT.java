package dev.caravan.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.store.ManagedUpstreamRecord;
import dev.caravan.store.ManagedUpstreamRepository;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upstreams managed through the admin API: hostile bodies first, then a whole life (create, tools listed through an
 * endpoint, patch, delete) against the real server-everything, secrets at rest, and changes another node makes.
 */
class ManagedUpstreamsIT extends CaravanIntegrationTest {
    static Path connectorsDir;
    static EverythingPeer peer;

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    ManagedUpstreamRepository repository;
    @Autowired
    Upstreams upstreams;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        connectorsDir = Files.createTempDirectory("caravan-connectors");
        peer = EverythingPeer.streamableHttp(EverythingPeer.freePort());
        declareInFile("filed");
        registry.add("caravan.connectors-dir", connectorsDir::toString);
        registry.add("caravan.upstream.reconcile-interval", () -> "300ms");
        registry.add("caravan.upstream.backoff-initial", () -> "200ms");
        registry.add("caravan.upstream.backoff-max", () -> "1s");
    }

    /** Writes upstreams.yaml declaring these names, each server-everything's echo tool. */
    static void declareInFile(String... names) throws IOException {
        StringBuilder yaml = new StringBuilder("upstreams:\n");
        for (String name : names) {
            yaml.append("  - name: ").append(name).append("\n    transport: streamable-http\n    url: ")
                    .append(peer.url()).append("\n    include: [echo]\n");
        }
        Files.writeString(connectorsDir.resolve("upstreams.yaml"), yaml);
    }

    @AfterAll
    static void stopPeer() {
        peer.close();
    }

    HttpResponse<String> post(String body) {
        return admin("POST", "/admin/api/upstreams", body);
    }

    static String declaration(String name, String extra) {
        return "{\"name\":\"" + name + "\",\"transport\":\"streamable-http\",\"url\":\"" + peer.url() + "\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String message(HttpResponse<String> r) {
        return json(r.body()).path("detail").asText();
    }

    /** The reason upstreams.yaml gives for the same item, without the file and position. */
    static String fileReason(String yamlItem) {
        try {
            UpstreamConfigParser.parse("upstreams:\n  - " + yamlItem + "\n", "upstreams.yaml");
            throw new AssertionError("the file accepted " + yamlItem);
        } catch (UpstreamConfigException e) {
            return e.reason().replaceFirst("^upstreams\\[0\\]( \\([^)]*\\))?: ", "");
        }
    }

    @Test
    void withoutTheAdminTokenEveryChangeIsRefused() {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            String path = method.equals("POST") ? "/admin/api/upstreams" : "/admin/api/upstreams/x";
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(declaration("x", ""))).build());
            assertThat(r.statusCode()).as(method).isEqualTo(401);
            HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .header("Authorization", "Bearer not-the-token").header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(declaration("x", ""))).build());
            assertThat(wrong.statusCode()).as(method).isEqualTo(401);
        }
        assertThat(repository.find("x")).isEmpty();
    }

    @Test
    void badBodiesAreRefusedWithTheFilesMessages() {
        HttpResponse<String> notJson = post("{\"name\": \"a\", ");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(message(notJson)).startsWith("The body is not valid JSON (line 1");
        assertThat(post("").statusCode()).isEqualTo(400);
        assertThat(message(post("[1, 2]"))).startsWith("The body must be a JSON object");
        assertThat(message(post("{\"name\":\"a\"} trailing"))).startsWith("The body is not valid JSON");
        assertThat(message(post("{\"name\":\"a\",\"name\":\"b\"}"))).contains("Duplicate field 'name'");

        HttpResponse<String> unknown = post(declaration("a", "\"colour\":\"blue\""));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(message(unknown)).isEqualTo(fileReason("{name: a, transport: streamable-http, url: "
                + "'http://h/mcp', colour: blue}")).startsWith("unknown key 'colour'");

        HttpResponse<String> transport = post("{\"name\":\"a\",\"transport\":\"carrier-pigeon\",\"url\":\"http://h/mcp\"}");
        assertThat(transport.statusCode()).isEqualTo(400);
        assertThat(message(transport)).isEqualTo(fileReason("{name: a, transport: carrier-pigeon, url: 'http://h/mcp'}"))
                .contains("streamable-http, sse, stdio");

        HttpResponse<String> noUrl = post("{\"name\":\"a\",\"transport\":\"sse\"}");
        assertThat(noUrl.statusCode()).isEqualTo(400);
        assertThat(message(noUrl)).isEqualTo(fileReason("{name: a, transport: sse}")).startsWith("sse needs a url");

        assertThat(message(post("{\"name\":\"a b\",\"transport\":\"sse\",\"url\":\"http://h/sse\"}")))
                .startsWith("name is required");
        assertThat(message(post(declaration("a", "\"url\":\"ftp://h/x\"")))).contains("Duplicate field 'url'");
        assertThat(message(post("{\"name\":\"a\",\"transport\":\"sse\",\"url\":\"ftp://h/x\"}")))
                .isEqualTo("url must be an absolute http:// or https:// URL");
        assertThat(message(post(declaration("a", "\"timeouts\":{\"call\":\"soon\"}"))))
                .isEqualTo(fileReason("{name: a, transport: sse, url: 'http://h/x', timeouts: {call: soon}}"));
        assertThat(message(post(declaration("a", "\"auth\":{\"type\":\"bearer\"}")))).contains("needs token");
        // A masked secret cannot be created: there is nothing stored to keep.
        HttpResponse<String> masked = post(declaration("a", "\"auth\":{\"type\":\"bearer\",\"token\":\"***\"}"));
        assertThat(masked.statusCode()).isEqualTo(400);
        assertThat(message(masked)).startsWith("auth.token is '***'");
        // stdio runs a command on every node: not through the API unless allowed.
        HttpResponse<String> stdio = post("{\"name\":\"a\",\"transport\":\"stdio\",\"command\":\"/bin/sh\"}");
        assertThat(stdio.statusCode()).isEqualTo(403);
        assertThat(message(stdio)).contains("connectors/upstreams.yaml");

        assertThat(repository.find("a")).isEmpty();
        assertThat(admin("GET", "/admin/api/upstreams/a", null).statusCode()).isEqualTo(404);
    }

    @Test
    void fileDeclaredUpstreamsAreReadOnlyAndNamesAreUnique() {
        HttpResponse<String> clash = post(declaration("filed", ""));
        assertThat(clash.statusCode()).isEqualTo(409);
        assertThat(message(clash)).contains("edit connectors/upstreams.yaml");
        for (String method : List.of("PUT", "PATCH", "DELETE")) {
            HttpResponse<String> r = admin(method, "/admin/api/upstreams/filed", "{\"enabled\":false}");
            assertThat(r.statusCode()).as(method).isEqualTo(409);
            assertThat(message(r)).as(method).contains("connectors/upstreams.yaml");
        }
        assertThat(json(admin("GET", "/admin/api/upstreams/filed/declaration", null).body()).path("source").asText())
                .isEqualTo("file");

        assertThat(post(declaration("twice", "\"enabled\":false")).statusCode()).isEqualTo(201);
        HttpResponse<String> again = post(declaration("twice", ""));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(message(again)).contains("exists already");
        assertThat(admin("PATCH", "/admin/api/upstreams/twice", "{\"name\":\"other\"}").statusCode()).isEqualTo(400);
        assertThat(admin("PATCH", "/admin/api/upstreams/nothere", "{\"enabled\":true}").statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/api/upstreams/nothere", null).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/api/upstreams/twice", null).statusCode()).isEqualTo(204);
        assertThat(repository.find("twice")).isEmpty();
    }

    @Test
    void createdUpstreamsToolsAppearChangeWithAPatchAndLeaveOnDelete() {
        Published ep = publish("managed", "live");
        AtomicInteger changes = new AtomicInteger();
        try (McpSyncClient client = initialized(streamableClient(ep)
                .toolsChangeConsumer(tools -> changes.incrementAndGet()))) {
            assertThat(client.listTools().tools()).isEmpty();

            HttpResponse<String> created = post(declaration("live", "\"prefix\":\"ev\",\"include\":[\"echo\",\"get-sum\"],"
                    + "\"timeouts\":{\"call\":\"20s\"}"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode view = json(created.body());
            assertThat(view.path("source").asText()).isEqualTo("api");
            assertThat(view.path("declaration").path("include").toString()).isEqualTo("[\"echo\",\"get-sum\"]");

            await(Duration.ofSeconds(30), "both tools listed", () -> names(client).equals(List.of("ev__echo", "ev__get-sum")));
            // The notification may arrive just after a tools/list that already shows the change.
            await(Duration.ofSeconds(10), "tools/list_changed received", () -> changes.get() > 0);
            McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("ev__echo",
                    Map.of("message", "managed")));
            assertThat(((McpSchema.TextContent) echo.content().get(0)).text()).isEqualTo("Echo: managed");

            int before = changes.get();
            HttpResponse<String> patched = admin("PATCH", "/admin/api/upstreams/live", "{\"include\":[\"get-sum\"]}");
            assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
            assertThat(json(patched.body()).path("declaration").path("prefix").asText()).isEqualTo("ev");
            await(Duration.ofSeconds(30), "only get-sum", () -> names(client).equals(List.of("ev__get-sum")));
            int beforePatch = before;
            await(Duration.ofSeconds(10), "list_changed after the patch", () -> changes.get() > beforePatch);

            HttpResponse<String> disabled = admin("PATCH", "/admin/api/upstreams/live", "{\"enabled\":false}");
            assertThat(disabled.statusCode()).isEqualTo(200);
            await(Duration.ofSeconds(10), "disabled", () -> names(client).isEmpty()
                    && "disabled".equals(json(admin("GET", "/admin/api/upstreams/live", null).body()).path("state").asText()));

            // PUT replaces the whole declaration: the prefix goes back to the name.
            HttpResponse<String> replaced = admin("PUT", "/admin/api/upstreams/live",
                    "{\"transport\":\"streamable-http\",\"url\":\"" + peer.url() + "\",\"include\":[\"echo\"]}");
            assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
            await(Duration.ofSeconds(30), "live__echo", () -> names(client).equals(List.of("live__echo")));

            before = changes.get();
            assertThat(admin("DELETE", "/admin/api/upstreams/live", null).statusCode()).isEqualTo(204);
            await(Duration.ofSeconds(10), "tools gone", () -> names(client).isEmpty());
            int beforeDelete = before;
            await(Duration.ofSeconds(10), "list_changed after the delete", () -> changes.get() > beforeDelete);
            assertThat(admin("GET", "/admin/api/upstreams/live", null).statusCode()).isEqualTo(404);
            assertThat(repository.find("live")).isEmpty();
        }
    }

    @Test
    void deletingAnUpstreamForgetsItsOAuthGrant() {
        assertThat(post(declaration("granted", "\"enabled\":false")).statusCode()).isEqualTo(201);
        // The grant an authorization flow would have stored (the flow itself is UpstreamOAuthIT's).
        jdbc.update("insert into upstream_token (upstream, server_url, sealed, updated_at) values (?, ?, ?, ?)",
                "granted", "http://127.0.0.1:9/mcp", "sealed:v1:stand-in", java.sql.Timestamp.from(Instant.now()));
        jdbc.update("insert into upstream_token (upstream, server_url, sealed, updated_at) values (?, ?, ?, ?)",
                "bystander", "http://127.0.0.1:9/mcp", "sealed:v1:stand-in", java.sql.Timestamp.from(Instant.now()));

        assertThat(admin("DELETE", "/admin/api/upstreams/granted", null).statusCode()).isEqualTo(204);

        assertThat(jdbc.queryForList("select upstream from upstream_token where upstream in ('granted', 'bystander')",
                String.class)).containsExactly("bystander");
        jdbc.update("delete from upstream_token where upstream = 'bystander'");
    }

    @Test
    void literalSecretsAreSealedAtRestAndNeverShown() {
        String literal = "literal-secret-4711-abcdef";
        HttpResponse<String> created = post(declaration("keyed", "\"enabled\":false,\"auth\":{\"type\":\"headers\","
                + "\"headers\":{\"X-Api-Key\":\"" + literal + "\",\"X-Team\":\"${CARAVAN_IT_TEAM}\"}}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain(literal);
        JsonNode headers = json(admin("GET", "/admin/api/upstreams/keyed/declaration", null).body())
                .path("declaration").path("auth").path("headers");
        assertThat(headers.path("X-Api-Key").asText()).isEqualTo("***");
        assertThat(headers.path("X-Team").asText()).isEqualTo("${CARAVAN_IT_TEAM}");
        assertThat(admin("GET", "/admin/api/upstreams-managed", null).body()).doesNotContain(literal);
        String row = jdbc.queryForObject("select declaration from managed_upstream where name = 'keyed'", String.class);
        assertThat(row).doesNotContain(literal).contains("sealed:v1:").contains("${CARAVAN_IT_TEAM}");
        assertThat(upstreams.config("keyed").auth().headers()).containsEntry("X-Api-Key", literal);

        // Sending back what GET showed keeps the secret; a new value replaces it.
        String shown = json(admin("GET", "/admin/api/upstreams/keyed/declaration", null).body()).path("declaration")
                .path("auth").toString();
        assertThat(admin("PATCH", "/admin/api/upstreams/keyed", "{\"auth\":" + shown + ",\"prefix\":\"k\"}")
                .statusCode()).isEqualTo(200);
        assertThat(upstreams.config("keyed").prefix()).isEqualTo("k");
        assertThat(upstreams.config("keyed").auth().headers()).containsEntry("X-Api-Key", literal);
        assertThat(admin("PATCH", "/admin/api/upstreams/keyed", "{\"auth\":{\"type\":\"bearer\",\"token\":\"***\"}}")
                .statusCode()).isEqualTo(400);
        assertThat(admin("PATCH", "/admin/api/upstreams/keyed", "{\"auth\":{\"type\":\"bearer\",\"token\":\"fresh-one-99\"}}")
                .statusCode()).isEqualTo(200);
        assertThat(upstreams.config("keyed").auth().token()).isEqualTo("fresh-one-99");

        // A sealed value moved to another row does not open there.
        String sealed = jdbc.queryForObject("select declaration from managed_upstream where name = 'keyed'", String.class);
        repository.insert(new ManagedUpstreamRecord("moved", sealed.replace("\"keyed\"", "\"moved\""), Instant.now(),
                Instant.now()));
        await(Duration.ofSeconds(10), "the moved row reported", () -> json(admin("GET",
                "/admin/api/upstreams/moved/declaration", null).body()).path("problem").asText().contains("decrypted"));
        assertThat(upstreams.config("moved")).isNull();
        repository.delete("moved");
        assertThat(admin("DELETE", "/admin/api/upstreams/keyed", null).statusCode()).isEqualTo(204);
    }

    @Test
    void changesAnotherNodeMakesInTheDatabaseAreServedHere() {
        Instant now = Instant.now();
        repository.insert(new ManagedUpstreamRecord("elsewhere", declaration("elsewhere", "\"include\":[\"echo\"]"),
                now, now));
        await(Duration.ofSeconds(30), "the other node's upstream online", () -> "online".equals(json(admin("GET",
                "/admin/api/upstreams/elsewhere", null).body()).path("state").asText()));
        assertThat(json(admin("GET", "/admin/api/upstreams/elsewhere", null).body()).path("tools").toString())
                .contains("elsewhere__echo");
        repository.update(new ManagedUpstreamRecord("elsewhere", declaration("elsewhere", "\"enabled\":false"), null,
                Instant.now()));
        await(Duration.ofSeconds(10), "disabled here too", () -> "disabled".equals(json(admin("GET",
                "/admin/api/upstreams/elsewhere", null).body()).path("state").asText()));
        repository.delete("elsewhere");
        await(Duration.ofSeconds(10), "gone here too",
                () -> admin("GET", "/admin/api/upstreams/elsewhere", null).statusCode() == 404);
    }

    @Test
    void aNameTheFileLaterDeclaresIsHeldBackLoudly() throws IOException {
        assertThat(post(declaration("later", "\"include\":[\"get-sum\"]")).statusCode()).isEqualTo(201);
        declareInFile("filed", "later");
        try {
            await(Duration.ofSeconds(10), "the file's 'later' runs", () -> upstreams.declaredNames().contains("later"));
            JsonNode heldBack = json(admin("GET", "/admin/api/upstreams-managed", null).body());
            assertThat(heldBack.toString()).contains("upstreams.yaml declares an upstream of the same name");
            assertThat(upstreams.config("later").include()).containsExactly("echo");
            assertThat(admin("DELETE", "/admin/api/upstreams/later", null).statusCode()).isEqualTo(409);
        } finally {
            declareInFile("filed");
        }
        await(Duration.ofSeconds(10), "the API's 'later' runs again", () -> upstreams.config("later") != null
                && upstreams.config("later").include().equals(List.of("get-sum")));
        assertThat(admin("DELETE", "/admin/api/upstreams/later", null).statusCode()).isEqualTo(204);
    }

    static List<String> names(McpSyncClient client) {
        return client.listTools().tools().stream().map(McpSchema.Tool::name).sorted().toList();
    }

    @Test
    void theParserIsTheSameForBothFaces() {
        assertThatThrownBy(() -> UpstreamConfigParser.upstream(Map.of("name", "x", "transport", "sse")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sse needs a url");
    }
}
