package dev.caravan.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.server.CallRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node being stopped lets the tool call in flight finish with its result, and refuses a new MCP request with 503,
 * Retry-After and a JSON-RPC error that says why.
 */
class GracefulShutdownIT {
    static final String ADMIN = "shutdown-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aStoppingNodeFinishesCallsInFlightAndRefusesNewOnes() throws Exception {
        Path root = Files.createTempDirectory("caravan-shutdown");
        Path routes = Files.createDirectories(root.resolve("routes"));
        Files.writeString(routes.resolve("slow.yaml"), """
                - route:
                    id: slow
                    from:
                      uri: ai-tool:slow_job
                      parameters:
                        description: Takes three seconds
                      steps:
                        - delay:
                            constant: "3000"
                        - setBody:
                            constant: "finished the slow job"
                """);
        ConfigurableApplicationContext app = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--server.port=0", "--caravan.routes-dir=" + routes, "--caravan.data-dir=" + root.resolve("data"),
                "--caravan.connectors-dir=" + root.resolve("connectors"), "--CARAVAN_ADMIN_TOKEN=" + ADMIN);
        CompletableFuture<Void> closing = null;
        try {
            String base = "http://localhost:" + ((ServletWebServerApplicationContext) app).getWebServer().getPort();
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/endpoints"))
                    .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"jobs\",\"tools\":[\"slow_job\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String token = JSON.readTree(created.body()).path("token").asText();
            String mcp = base + "/mcp/jobs";
            HttpResponse<String> init = HTTP.send(post(mcp, token, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":"
                    + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"it\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
            String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            HTTP.send(post(mcp, token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                    HttpResponse.BodyHandlers.ofString());

            CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(post(mcp, token, session,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow_job\","
                            + "\"arguments\":{}}}"), HttpResponse.BodyHandlers.ofString());
            CallRegistry calls = app.getBean(CallRegistry.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (calls.requestsInFlight() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(calls.requestsInFlight()).as("the slow call in flight").isEqualTo(1);

            closing = CompletableFuture.runAsync(app::close);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!calls.draining() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(calls.draining()).as("draining started").isTrue();
            HttpResponse<String> refused = HTTP.send(post(mcp, token, session,
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            JsonNode error = JSON.readTree(refused.body()).path("error");
            assertThat(error.path("message").asText()).contains("shutting down");
            assertThat(slow.isDone()).as("the slow call still running when the new one was refused").isFalse();

            HttpResponse<String> done = slow.get(20, TimeUnit.SECONDS);
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(done.body()).contains("finished the slow job").doesNotContain("\"isError\":true");
            closing.get(60, TimeUnit.SECONDS);
        } finally {
            if (closing == null) {
                app.close();
            }
        }
    }

    static HttpRequest post(String url, String token, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b.build();
    }
}
