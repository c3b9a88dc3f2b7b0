package dev.caravan.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.support.TestDatabases;
import dev.caravan.support.ToolCalls;
import dev.caravan.workspace.storage.S3TestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Caravan nodes (two Spring applications in this JVM, each with its own web server, Camel context, routes and
 * data directory) on ONE PostgreSQL schema and ONE S3 bucket (s3proxy): a lock taken through node 1's MCP endpoint
 * blocks a write through node 2's, and releasing it through node 1 lets node 2 write. The endpoint is created
 * through node 1's admin API only; node 2 learns it from the database (EndpointService reconciles every 5 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossNodeLocksIT {
    static final String ADMIN_TOKEN = "cross-node-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Pattern TOKEN = Pattern.compile("lockToken: (lck_[A-Za-z0-9_-]+)");

    S3TestServer s3;
    final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    final List<McpSyncClient> clients = new ArrayList<>();
    String schema;

    @BeforeAll
    void startTwoNodes() throws Exception {
        s3 = S3TestServer.start(S3TestServer.Store.KEYS);
        s3.createBucket("shared-bucket");
        schema = TestDatabases.newPostgresSchema();
        nodes.add(startNode("node1"));
        nodes.add(startNode("node2"));
    }

    @AfterAll
    void stop() throws Exception {
        clients.forEach(McpSyncClient::closeGracefully);
        for (ConfigurableApplicationContext node : nodes) {
            node.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    ConfigurableApplicationContext startNode(String name) throws Exception {
        Path root = Files.createTempDirectory("caravan-" + name);
        Path routes = Files.createDirectories(root.resolve("routes/workspace"));
        Path connectors = Files.createDirectories(root.resolve("connectors"));
        try (Stream<Path> files = Files.list(Path.of("routes/workspace"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        Files.writeString(connectors.resolve("workspaces.yaml"), """
                workspaces:
                  - name: team
                    backend: s3
                    bucket: shared-bucket
                    prefix: team
                    region: us-east-1
                    endpoint: %s
                    path-style: true
                    access-key-id: "${CROSS_NODE_S3_KEY}"
                    secret-access-key: "${CROSS_NODE_S3_SECRET}"
                """.formatted(s3.endpoint()));
        // As command-line arguments: they outrank application.yml (default properties would not).
        Map<String, String> settings = Map.ofEntries(
                Map.entry("server.port", "0"),
                Map.entry("server.address", "127.0.0.1"),
                Map.entry("spring.datasource.url", TestDatabases.POSTGRES_URL + "?currentSchema=" + schema),
                Map.entry("spring.datasource.username", "postgres"),
                Map.entry("spring.datasource.password", ""),
                Map.entry("camel.main.name", name),
                Map.entry("caravan.routes-dir", root.resolve("routes").toString()),
                Map.entry("caravan.connectors-dir", connectors.toString()),
                Map.entry("caravan.data-dir", Files.createDirectories(root.resolve("data")).toString()),
                Map.entry("caravan.routes-poll-interval", "200ms"),
                Map.entry("CARAVAN_ADMIN_TOKEN", ADMIN_TOKEN),
                Map.entry("CROSS_NODE_S3_KEY", "identity"),
                Map.entry("CROSS_NODE_S3_SECRET", "credential"));
        return new SpringApplicationBuilder(CaravanApplication.class).run(settings.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    String base(int node) {
        return "http://127.0.0.1:" + nodes.get(node).getEnvironment().getProperty("local.server.port");
    }

    HttpResponse<String> admin(int node, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base(node) + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    McpSyncClient client(int node, String endpoint, String token) {
        McpSyncClient c = McpClient.sync(HttpClientStreamableHttpTransport.builder(base(node))
                        .endpoint("/mcp/" + endpoint)
                        .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + token))
                        .build())
                .requestTimeout(Duration.ofSeconds(30)).build();
        c.initialize();
        clients.add(c);
        return c;
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    boolean routesLoaded(int node) {
        try {
            JsonNode routes = JSON.readTree(admin(node, "GET", "/admin/api/routes", null).body());
            long loaded = 0;
            for (JsonNode r : routes) {
                loaded += r.path("file").asText().startsWith("routes/workspace/")
                        && "loaded".equals(r.path("state").asText()) ? 1 : 0;
            }
            try (Stream<Path> files = Files.list(Path.of("routes/workspace"))) {
                return loaded == files.count();
            }
        } catch (Exception e) {
            return false;
        }
    }

    /** Every call here goes to the shared workspace "team". */
    static String ok(McpSyncClient client, String tool, Object... args) {
        return ToolCalls.ok(client, tool, inTeam(args));
    }

    static String error(McpSyncClient client, String tool, Object... args) {
        return ToolCalls.error(client, tool, inTeam(args));
    }

    static Object[] inTeam(Object... args) {
        Object[] all = new Object[args.length + 2];
        all[0] = "workspace";
        all[1] = "team";
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    @Test
    void aLockTakenOnNodeOneBlocksWritesThroughNodeTwoUntilReleased() throws Exception {
        await(Duration.ofSeconds(30), "routes loaded on both nodes", () -> routesLoaded(0) && routesLoaded(1));
        HttpResponse<String> created = admin(0, "POST", "/admin/api/endpoints",
                "{\"name\":\"team\",\"tools\":[\"workspace\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String token = JSON.readTree(created.body()).path("token").asText();
        McpSyncClient one = client(0, "team", token);
        await(Duration.ofSeconds(20), "node 2 to serve the endpoint created on node 1", () -> HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create(base(1) + "/mcp/team")).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                                + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":"
                                + "{\"name\":\"probe\",\"version\":\"1\"}}}")).build(),
                HttpResponse.BodyHandlers.ofString()).join().statusCode() == 200);
        McpSyncClient two = client(1, "team", token);

        // One bucket: what node 1 writes, node 2 reads.
        ok(one, "write_file", "path", "plans/q3.md", "content", "draft by node 1");
        assertThat(ok(two, "read_text_file", "path", "plans/q3.md")).startsWith("draft by node 1");

        Matcher m = TOKEN.matcher(ok(one, "lock_acquire", "path", "plans", "ttlSeconds", 300));
        assertThat(m.find()).isTrue();
        String lockToken = m.group(1);

        String refused = error(two, "write_file", "path", "plans/q3.md", "content", "overwritten by node 2");
        assertThat(refused).contains("is locked: exclusive lock on 'plans' held by team/default until");
        assertThat(error(two, "delete_file", "path", "plans/q3.md")).contains("is locked");
        assertThat(error(two, "lock_acquire", "path", "plans/q3.md", "mode", "shared")).contains("Cannot take");
        assertThat(ok(two, "lock_status", "path", "plans")).contains("exclusive  plans  held by team/default");
        assertThat(ok(one, "read_text_file", "path", "plans/q3.md")).startsWith("draft by node 1");

        // The token is the lock's, not the node's: node 2 accepts it too.
        ok(two, "write_file", "path", "plans/q3.md", "content", "edited with the token via node 2",
                "lockToken", lockToken);

        assertThat(ok(one, "lock_release", "lockToken", lockToken)).contains("Released");
        ok(two, "write_file", "path", "plans/q3.md", "content", "written by node 2 after release");
        assertThat(ok(one, "read_text_file", "path", "plans/q3.md")).startsWith("written by node 2 after release");

        // Both nodes record into the one audit trail.
        await(Duration.ofSeconds(10), "both nodes' audit records", () -> {
            try {
                JsonNode records = JSON.readTree(admin(0, "GET", "/admin/api/audit?workspace=team&operation=write_file",
                        null).body());
                return records.size() == 4 && records.get(2).path("outcome").asText().equals("locked");
            } catch (Exception e) {
                return false;
            }
        });
    }
}
