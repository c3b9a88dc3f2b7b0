package dev.caravan.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness waits for the catalogue: Caravan starts with many route files, readiness is polled from the moment the
 * port answers, and the first time it says UP every tool must be listed by the admin API.
 */
class ReadinessIT {
    static final int FILES = 200;
    static final String ADMIN = "readiness-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void readinessTurnsUpOnlyOnceEveryRouteFileIsLoaded() throws Exception {
        Path root = Files.createTempDirectory("caravan-readiness");
        Path routes = Files.createDirectories(root.resolve("routes"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(routes.resolve("tool-" + i + ".yaml"), """
                    - route:
                        id: ready-%1$d
                        from:
                          uri: ai-tool:ready_%1$d
                          parameters:
                            description: Tool number %1$d of the readiness test
                          steps:
                            - setBody:
                                constant: "%1$d"
                    """.formatted(i));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CompletableFuture<ConfigurableApplicationContext> app = CompletableFuture.supplyAsync(() ->
                new SpringApplicationBuilder(CaravanApplication.class).run(
                        "--server.port=" + port,
                        "--caravan.routes-dir=" + routes,
                        "--caravan.data-dir=" + root.resolve("data"),
                        "--caravan.connectors-dir=" + root.resolve("connectors"),
                        "--CARAVAN_ADMIN_TOKEN=" + ADMIN));
        List<Integer> beforeUp = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            HttpResponse<String> ready = null;
            while (System.nanoTime() < deadline && !app.isCompletedExceptionally()) {
                ready = get(port, "/actuator/health/readiness", null);
                if (ready != null && ready.statusCode() == 200) {
                    break;
                }
                if (ready != null) {
                    beforeUp.add(ready.statusCode());
                }
                Thread.sleep(10);
            }
            assertThat(ready).as("readiness answered").isNotNull();
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("UP");
            // The very first UP: the catalogue must already be complete.
            HttpResponse<String> tools = get(port, "/admin/api/tools", ADMIN);
            assertThat(tools.statusCode()).as(tools.body()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            for (JsonNode t : JSON.readTree(tools.body())) {
                if (t.path("name").asText().startsWith("ready_")) {
                    names.add(t.path("name").asText());
                }
            }
            assertThat(names).hasSize(FILES);
            assertThat(beforeUp).as("answers before UP").allMatch(status -> status == 503);
            System.out.println("Readiness: " + beforeUp.size() + " answers of 503 before the first UP");
        } finally {
            app.get(120, TimeUnit.SECONDS).close();
        }
    }

    /** The response, or null while nothing listens on the port yet. */
    static HttpResponse<String> get(int port, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
