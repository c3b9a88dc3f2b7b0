package dev.caravan.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API-managed upstreams live in the database (embedded H2 under the data directory here): they come back after a
 * restart, secrets included, and a node started with another key reports them instead of using them.
 */
class ManagedUpstreamsRestartIT {
    static final String ADMIN = "restart-admin-token";
    static final String SECRET = "literal-secret-after-restart";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static ConfigurableApplicationContext start(Path root, String key) throws Exception {
        return new SpringApplicationBuilder(CaravanApplication.class).run(
                "--server.port=0",
                "--caravan.routes-dir=" + Files.createDirectories(root.resolve("routes")),
                "--caravan.data-dir=" + Files.createDirectories(root.resolve("data")),
                "--caravan.connectors-dir=" + Files.createDirectories(root.resolve("connectors")),
                "--CARAVAN_ADMIN_TOKEN=" + ADMIN,
                "--caravan.secret-key=" + key);
    }

    static HttpResponse<String> admin(ConfigurableApplicationContext app, String method, String path, String body)
            throws Exception {
        int port = ((ServletWebServerApplicationContext) app).getWebServer().getPort();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void managedUpstreamsSurviveARestartAndNeedTheSameKey() throws Exception {
        Path root = Files.createTempDirectory("caravan-restart");
        try (ConfigurableApplicationContext first = start(root, "first-key")) {
            HttpResponse<String> r = admin(first, "POST", "/admin/api/upstreams", "{\"name\":\"kept\","
                    + "\"transport\":\"streamable-http\",\"url\":\"http://127.0.0.1:9/mcp\",\"prefix\":\"kp\","
                    + "\"auth\":{\"type\":\"bearer\",\"token\":\"" + SECRET + "\"}}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        try (ConfigurableApplicationContext second = start(root, "first-key")) {
            JsonNode view = JSON.readTree(admin(second, "GET", "/admin/api/upstreams/kept/declaration", null).body());
            assertThat(view.path("source").asText()).isEqualTo("api");
            assertThat(view.path("problem").isNull()).isTrue();
            assertThat(view.path("declaration").path("prefix").asText()).isEqualTo("kp");
            assertThat(view.path("declaration").path("auth").path("token").asText()).isEqualTo("***");
            assertThat(second.getBean(Upstreams.class).config("kept").auth().token()).isEqualTo(SECRET);
            assertThat(admin(second, "GET", "/admin/api/upstreams/kept", null).statusCode()).isEqualTo(200);
        }
        try (ConfigurableApplicationContext other = start(root, "another-key")) {
            JsonNode view = JSON.readTree(admin(other, "GET", "/admin/api/upstreams/kept/declaration", null).body());
            assertThat(view.path("problem").asText()).contains("cannot be decrypted").contains("CARAVAN_SECRET_KEY");
            assertThat(other.getBean(Upstreams.class).config("kept")).isNull();
            HttpResponse<String> patch = admin(other, "PATCH", "/admin/api/upstreams/kept", "{\"prefix\":\"x\"}");
            assertThat(patch.statusCode()).isEqualTo(409);
            assertThat(admin(other, "DELETE", "/admin/api/upstreams/kept", null).statusCode()).isEqualTo(204);
        }
    }
}
