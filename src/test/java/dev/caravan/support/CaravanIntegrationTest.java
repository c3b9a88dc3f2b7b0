package dev.caravan.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Starts the real application on a random port with its own data and routes directories (one Spring context
 * per test class), and gives tests the admin API, route-file writes, SDK clients and raw MCP requests.
 * The context is closed after each class: Spring would otherwise reuse one class's context for another whose
 * static {@link #routesDir} already points at a newer class's directory.
 */
@SpringBootTest(classes = CaravanApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class CaravanIntegrationTest {
    public static final String ADMIN_TOKEN = "test-admin-token";
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    protected int port;

    /** The routes directory of this test class's application. */
    protected static Path routesDir;
    protected static Path dataDir;

    @DynamicPropertySource
    static void directories(DynamicPropertyRegistry registry) throws IOException {
        Path root = Files.createTempDirectory("caravan-it");
        routesDir = Files.createDirectories(root.resolve("routes"));
        dataDir = Files.createDirectories(root.resolve("data"));
        registry.add("caravan.routes-dir", routesDir::toString);
        registry.add("caravan.data-dir", dataDir::toString);
        registry.add("caravan.routes-poll-interval", () -> "200ms");
        registry.add("CARAVAN_ADMIN_TOKEN", () -> ADMIN_TOKEN);
    }

    /** An endpoint as the admin API returned it on creation. */
    public record Published(String name, String url, String secretUrl, String sseUrl, String token) {
    }

    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    /** POST /admin/api/endpoints; fails the test unless 201. */
    protected Published publish(String name, String... tools) {
        HttpResponse<String> r = admin("POST", "/admin/api/endpoints",
                JSON.createObjectNode().put("name", name).set("tools", JSON.valueToTree(tools)).toString());
        if (r.statusCode() != 201) {
            throw new AssertionError("publishing " + name + " answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode n = json(r.body());
        return new Published(n.get("name").asText(), n.get("url").asText(), n.get("secretUrl").asText(),
                n.get("sseUrl").asText(), n.get("token").asText());
    }

    /** A call to the admin API with the admin token; body may be null. */
    protected HttpResponse<String> admin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    protected static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Writes a route file atomically (temp file + move) so the watcher never sees half a file. */
    protected static Path writeRoute(String relativePath, String yaml) {
        try {
            Path target = routesDir.resolve(relativePath);
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tmp", ".part");
            Files.writeString(tmp, yaml);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    protected static void deleteRoute(String relativePath) {
        try {
            Files.deleteIfExists(routesDir.resolve(relativePath));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Polls until the condition holds, failing after the timeout. */
    protected static void await(Duration timeout, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    /** A Streamable HTTP SDK client with the endpoint's bearer token; the caller closes it. */
    protected McpClient.SyncSpec streamableClient(Published endpoint) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder(baseUrl())
                        .endpoint("/mcp/" + endpoint.name())
                        .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + endpoint.token()))
                        .build())
                .requestTimeout(Duration.ofSeconds(30));
    }

    /** A legacy HTTP+SSE SDK client with the endpoint's bearer token; the caller closes it. */
    protected McpClient.SyncSpec sseClient(Published endpoint) {
        return McpClient.sync(HttpClientSseClientTransport.builder(baseUrl())
                        .sseEndpoint("/sse/" + endpoint.name())
                        .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + endpoint.token()))
                        .build())
                .requestTimeout(Duration.ofSeconds(30));
    }

    protected static McpSyncClient initialized(McpClient.SyncSpec spec) {
        McpSyncClient client = spec.build();
        client.initialize();
        return client;
    }

    /** The two MCP transports every endpoint serves. */
    public enum Transport { STREAMABLE, SSE }

    /** An SDK client for the endpoint on the given transport; the caller closes it. */
    protected McpClient.SyncSpec client(Transport transport, Published endpoint) {
        return transport == Transport.STREAMABLE ? streamableClient(endpoint) : sseClient(endpoint);
    }

    /** The Accept header Streamable HTTP requires on POST. */
    protected static final String ACCEPT_MCP = "application/json, text/event-stream";

    /** A raw JSON-RPC POST to /mcp/NAME with the endpoint's bearer token and, when given, the session. */
    protected HttpRequest.Builder mcpPost(Published endpoint, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/" + endpoint.name()))
                .header("Authorization", "Bearer " + endpoint.token())
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b;
    }

    protected static String initializeRequest(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"caravan-it\",\"version\":\"1\"}}}";
    }

    protected static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    /** Opens a Streamable HTTP session over raw HTTP (initialize + initialized); returns its Mcp-Session-Id. */
    protected String rawSession(Published endpoint) {
        HttpResponse<String> init = send(mcpPost(endpoint, null, initializeRequest(0)).build());
        if (init.statusCode() != 200 || init.headers().firstValue("Mcp-Session-Id").isEmpty()) {
            throw new AssertionError("initialize answered " + init.statusCode() + ": " + init.body());
        }
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = send(mcpPost(endpoint, session, INITIALIZED).build());
        if (initialized.statusCode() != 202) {
            throw new AssertionError("notifications/initialized answered " + initialized.statusCode());
        }
        return session;
    }

    /** The JSON messages in the data lines of a text/event-stream body (or the body itself when it is JSON). */
    protected static List<JsonNode> sseMessages(String body) {
        List<JsonNode> out = new ArrayList<>();
        if (body.stripLeading().startsWith("{")) {
            out.add(json(body));
            return out;
        }
        for (String line : body.split("\r?\n")) {
            if (line.startsWith("data:")) {
                out.add(json(line.substring(5).trim()));
            }
        }
        return out;
    }

    /** The admin API's status entry for a route file (path relative to the routes directory), or null. */
    protected JsonNode routeStatus(String relativePath) {
        for (JsonNode n : json(admin("GET", "/admin/api/routes", null).body())) {
            if (n.path("file").asText().equals("routes/" + relativePath)) {
                return n;
            }
        }
        return null;
    }

    /** Writes a route file and waits until the watcher has (re)loaded it successfully. */
    protected void writeRouteAndAwait(String relativePath, String yaml) {
        JsonNode before = routeStatus(relativePath);
        String previous = before == null ? null : before.path("updatedAt").asText();
        writeRoute(relativePath, yaml);
        await(Duration.ofSeconds(10), relativePath + " loaded", () -> {
            JsonNode status = routeStatus(relativePath);
            return status != null && "loaded".equals(status.path("state").asText())
                    && !status.path("updatedAt").asText().equals(previous);
        });
    }

    /** Writes crm.yaml: one tool, {@code crm_lookup_customer} (tag {@code crm}), that answers "found". */
    protected void writeCrmLookupRoute() {
        writeRouteAndAwait("crm.yaml", """
                - route:
                    from:
                      uri: ai-tool:crm_lookup_customer
                      parameters:
                        tags: crm
                        description: Looks a customer up.
                      steps:
                        - setBody:
                            constant: found
                """);
    }

    /**
     * Copies the project's route files of {@code routes/FOLDER} (e.g. the workspace tools) into this test's routes
     * directory and waits until the watcher has loaded every one.
     */
    protected void installRoutes(String folder) {
        List<String> names;
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of("routes", folder))) {
            names = files.map(f -> folder + "/" + f.getFileName()).sorted().toList();
            for (String name : names) {
                writeRoute(name, java.nio.file.Files.readString(java.nio.file.Path.of("routes").resolve(name)));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String name : names) {
            await(Duration.ofSeconds(20), name + " loaded", () -> routeStatus(name) != null
                    && "loaded".equals(routeStatus(name).path("state").asText()));
        }
    }
}
