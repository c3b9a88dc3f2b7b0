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
import java.util.function.BooleanSupplier;

/**
 * Starts the real application on a random port with its own data and routes directories (one Spring context
 * per test class), and gives tests the admin API, route-file writes and SDK clients.
 */
@SpringBootTest(classes = CaravanApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
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
}
