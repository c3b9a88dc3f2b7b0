package dev.caravan.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revocation reaches every open session and stream, on the node that revoked and on another node sharing the
 * database: after {@code regenerate {"graceSeconds":0}} or deleting a credential, the next request on a session
 * opened with it is refused (401) and its held-open event stream ends, within 5 s, on both transports.
 * Two Spring applications in this JVM on one PostgreSQL schema; node 2 reads the endpoints from the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationIT {
    static final String ADMIN_TOKEN = "revocation-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String EOF = "\u0000EOF";

    final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    final Map<String, String> tokens = new java.util.HashMap<>();

    static String name(String transport, String revoke, int node) {
        return transport + "-" + revoke + "-" + node;
    }

    @BeforeAll
    void startTwoNodes() throws Exception {
        String schema = TestDatabases.newPostgresSchema();
        nodes.add(startNode("node1", schema));
        // Created before node 2 starts, so node 2 serves them from its first read of the database.
        for (String transport : List.of("streamable", "sse")) {
            for (String revoke : List.of("regenerate", "delete")) {
                for (int node = 0; node < 2; node++) {
                    HttpResponse<String> created = admin(0, "POST", "/admin/api/endpoints", "{\"name\":\""
                            + name(transport, revoke, node) + "\",\"tools\":[\"alpha\"]}");
                    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                    tokens.put(name(transport, revoke, node), JSON.readTree(created.body()).get("token").asText());
                }
            }
        }
        nodes.add(startNode("node2", schema));
        // Each node reconciles endpoints from the database once its Camel context runs, i.e. its routes are loaded.
        for (int node = 0; node < 2; node++) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admin(node, "GET", "/admin/api/routes", null).body().contains("\"loaded\"")) {
                assertThat(System.nanoTime()).as("routes loaded on node " + (node + 1)).isLessThan(end);
                Thread.sleep(200);
            }
        }
    }

    @AfterAll
    void stop() {
        nodes.forEach(ConfigurableApplicationContext::close);
    }

    ConfigurableApplicationContext startNode(String name, String schema) throws Exception {
        Path root = Files.createTempDirectory("caravan-" + name);
        Path routes = Files.createDirectories(root.resolve("routes"));
        Files.writeString(routes.resolve("ping.yaml"), """
                - route:
                    id: ping
                    from:
                      uri: ai-tool:ping
                      parameters:
                        tags: alpha
                        description: Answers pong.
                      steps:
                        - setBody:
                            constant: pong
                """);
        Map<String, String> settings = Map.ofEntries(
                Map.entry("server.port", "0"),
                Map.entry("server.address", "127.0.0.1"),
                Map.entry("spring.datasource.url", TestDatabases.POSTGRES_URL + "?currentSchema=" + schema),
                Map.entry("spring.datasource.username", "postgres"),
                Map.entry("spring.datasource.password", ""),
                Map.entry("camel.main.name", name),
                Map.entry("caravan.routes-dir", routes.toString()),
                Map.entry("caravan.connectors-dir", Files.createDirectories(root.resolve("connectors")).toString()),
                Map.entry("caravan.data-dir", Files.createDirectories(root.resolve("data")).toString()),
                Map.entry("caravan.routes-poll-interval", "200ms"),
                Map.entry("CARAVAN_ADMIN_TOKEN", ADMIN_TOKEN));
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

    /**
     * transport: streamable or sse; revoke: regenerate or delete (a named credential); sessionNode: where the
     * session lives (the revocation is always made through node 1's admin API).
     */
    @ParameterizedTest(name = "{0} session on node {2}, {1}")
    @CsvSource({
            "streamable, regenerate, 0", "streamable, delete, 0", "sse, regenerate, 0", "sse, delete, 0",
            "streamable, regenerate, 1", "streamable, delete, 1", "sse, regenerate, 1", "sse, delete, 1"})
    void nothingWorksWithARevokedCredentialAfterFiveSeconds(String transport, String revoke, int sessionNode)
            throws Exception {
        String name = name(transport, revoke, sessionNode);
        String token = tokens.get(name);
        if ("delete".equals(revoke)) {
            HttpResponse<String> c = admin(0, "POST", "/admin/api/endpoints/" + name + "/credentials",
                    "{\"name\":\"reader\"}");
            assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
            token = JSON.readTree(c.body()).get("token").asText();
        }
        Session session = "sse".equals(transport) ? legacy(sessionNode, name, token) : streamable(sessionNode, name, token);
        assertThat(session.call()).isBetween(200, 202);

        HttpResponse<String> revoked = "regenerate".equals(revoke)
                ? admin(0, "POST", "/admin/api/endpoints/" + name + "/regenerate", "{\"graceSeconds\":0}")
                : admin(0, "DELETE", "/admin/api/endpoints/" + name + "/credentials/reader", null);
        assertThat(revoked.statusCode()).as(revoked.body()).isBetween(200, 204);
        long at = System.nanoTime();

        // The open stream ends by itself: nothing is sent on the session meanwhile.
        assertThat(session.awaitEnd(Duration.ofSeconds(5))).as("the open stream ended within 5 s").isTrue();
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
        assertThat(waitedMillis).isLessThan(5000);
        // Streamable HTTP requests carry the credential: 401. A legacy session whose stream has ended is gone: its
        // message URL answers 404 (session not found) once the stream is closed, 401 while it is still known.
        assertThat(session.call()).as("a request on the session after revocation")
                .isIn("sse".equals(transport) ? List.of(401, 404) : List.of(401));
    }

    interface Session {
        /** A tools/list on the session; its HTTP status. */
        int call() throws Exception;

        /** Whether the held-open stream reached its end within the time. */
        boolean awaitEnd(Duration within) throws InterruptedException;
    }

    /** Reads an event stream's lines on a thread of its own; {@link #EOF} when it ends. */
    static BlockingQueue<String> lines(InputStream body) {
        return lines(body, new LinkedBlockingQueue<>());
    }

    static BlockingQueue<String> lines(InputStream body, BlockingQueue<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (Exception ignored) {
                // a reset connection ends the stream as well
            }
            lines.add(EOF);
        }, "revocation-stream-reader");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    static boolean ended(BlockingQueue<String> lines, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        for (long left = within.toNanos(); left > 0; left = end - System.nanoTime()) {
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (EOF.equals(line)) {
                return true;
            }
        }
        return false;
    }

    static String initialize(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"revocation-it\",\"version\":\"1\"}}}";
    }

    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}";

    /** A Streamable HTTP session (initialize, initialized) with its GET stream open. */
    Session streamable(int node, String name, String token) throws Exception {
        URI uri = URI.create(base(node) + "/mcp/" + name);
        // Node 2 serves the endpoint once its reconcile has read it from the database.
        HttpResponse<String> init = null;
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); System.nanoTime() < end; Thread.sleep(200)) {
            init = HTTP.send(post(uri, token, null, initialize(0)), HttpResponse.BodyHandlers.ofString());
            if (init.statusCode() == 200) {
                break;
            }
        }
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(HTTP.send(post(uri, token, id, INITIALIZED), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(202);
        // The response may begin at once or with the first event (SDK versions differ): what matters is that the
        // stream stays open.
        java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> get = HTTP.sendAsync(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream")
                        .header("Mcp-Session-Id", id).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread.sleep(300);
        assertThat(!get.isDone() || get.join().statusCode() == 200).as("the GET stream is accepted").isTrue();
        BlockingQueue<String> stream = new LinkedBlockingQueue<>();
        get.whenComplete((r, failure) -> {
            if (r == null) {
                stream.add(EOF);
            } else {
                lines(r.body(), stream);
            }
        });
        assertThat(ended(stream, Duration.ofMillis(300))).as("the GET stream is held open").isFalse();
        String bearer = token;
        return new Session() {
            public int call() throws Exception {
                return HTTP.send(post(uri, bearer, id, TOOLS_LIST), HttpResponse.BodyHandlers.ofString()).statusCode();
            }

            public boolean awaitEnd(Duration within) throws InterruptedException {
                return ended(stream, within);
            }
        };
    }

    /** A legacy SSE session: the GET stream (authenticated once) and its message URL, initialized. */
    Session legacy(int node, String name, String token) throws Exception {
        URI sse = URI.create(base(node) + "/sse/" + name);
        HttpResponse<InputStream> get = null;
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); System.nanoTime() < end; Thread.sleep(200)) {
            get = HTTP.sendAsync(HttpRequest.newBuilder(sse).header("Authorization", "Bearer " + token)
                    .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream())
                    .get(10, TimeUnit.SECONDS);
            if (get.statusCode() == 200) {
                break;
            }
            get.body().close();
        }
        assertThat(get.statusCode()).isEqualTo(200);
        BlockingQueue<String> stream = lines(get.body());
        String endpoint = null;
        while (endpoint == null) {
            String line = stream.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("the endpoint event").isNotNull().isNotEqualTo(EOF);
            if (line.startsWith("data:") && line.contains("sessionId=")) {
                endpoint = line.substring(5).trim();
            }
        }
        URI message = endpoint.startsWith("http") ? URI.create(endpoint) : URI.create(base(node) + endpoint);
        // Only the session id from here on, as legacy clients do.
        assertThat(HTTP.send(post(message, null, null, initialize(0)), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isBetween(200, 202);
        assertThat(HTTP.send(post(message, null, null, INITIALIZED), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isBetween(200, 202);
        return new Session() {
            public int call() throws Exception {
                return HTTP.send(post(message, null, null, TOOLS_LIST), HttpResponse.BodyHandlers.ofString()).statusCode();
            }

            public boolean awaitEnd(Duration within) throws InterruptedException {
                return ended(stream, within);
            }
        };
    }

    static HttpRequest post(URI uri, String token, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b.build();
    }
}
