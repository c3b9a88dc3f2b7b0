package dev.caravan.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.support.CaravanProcess;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the node mid-import: a Caravan process is SIGKILLed while it streams a file over an existing one; the
 * target keeps its old content meanwhile, and a second node on the same database finds the job by its stale lease,
 * runs it again and ends it done with the whole new file.
 */
class ImportNodeKillIT {
    private static final String ADMIN = "import-kill-admin-token";
    private static final int SIZE = 4 * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer origin;
    private CaravanProcess first;
    private CaravanProcess second;

    @AfterEach
    void stop() throws Exception {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        if (origin != null) {
            origin.stop(0);
        }
    }

    @Test
    void aKilledNodesImportIsRunAgainElsewhereAndTheTargetIsOldOrWholeNew() throws Exception {
        byte[] body = new byte[SIZE];
        new Random(16).nextBytes(body);
        AtomicBoolean trickle = new AtomicBoolean(true);
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/big.bin", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().set("ETag", "\"v2\"");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                for (int off = 0; off < body.length; off += 64 * 1024) {
                    out.write(body, off, 64 * 1024);
                    out.flush();
                    if (trickle.get()) {
                        Thread.sleep(250); // the first node is killed long before the end
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                // the node died mid-body
            }
        });
        origin.start();
        String url = "http://127.0.0.1:" + origin.getAddress().getPort() + "/big.bin";

        Path root = Files.createTempDirectory("caravan-import-kill");
        Path workspace = Files.createDirectories(root.resolve("ws"));
        byte[] old = "the old content\n".getBytes();
        Files.write(workspace.resolve("big.bin"), old);
        Path connectors = Files.createDirectories(root.resolve("connectors"));
        Files.writeString(connectors.resolve("workspaces.yaml"), """
                workspaces:
                  - name: team
                    backend: local
                    root: %s
                """.formatted(workspace));
        String schema = TestDatabases.newPostgresSchema();

        first = start("first", root, connectors, schema);
        first.awaitReady(Duration.ofSeconds(120));
        JsonNode job = json(admin(first, "POST", "/admin/api/imports", "{\"workspace\":\"team\",\"url\":\"" + url
                + "\",\"path\":\"big.bin\",\"onConflict\":\"overwrite\"}").body());
        String id = job.path("job").asText();
        await(Duration.ofSeconds(60), "the first node streaming", () ->
                json(admin(first, "GET", "/admin/api/imports/" + id, null).body()).path("bytes").asLong() > 0);
        first.kill();

        assertThat(Files.readAllBytes(workspace.resolve("big.bin"))).isEqualTo(old);
        trickle.set(false);
        second = start("second", root, connectors, schema);
        second.awaitReady(Duration.ofSeconds(120));
        await(Duration.ofSeconds(90), "the job to end on the second node", () -> {
            String state = json(admin(second, "GET", "/admin/api/imports/" + id, null).body()).path("state").asText();
            return state.equals("done") || state.equals("failed");
        });
        JsonNode ended = json(admin(second, "GET", "/admin/api/imports/" + id, null).body());
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("done");
        Integer attempts = new JdbcTemplate(new DriverManagerDataSource(TestDatabases.POSTGRES_URL + "?currentSchema="
                + schema, "postgres", "")).queryForObject("select attempts from import_job where id = ?", Integer.class, id);
        assertThat(attempts).as("started on the first node, then again on the second").isEqualTo(2);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        assertThat(ended.path("file").path("sha256").asText()).isEqualTo(sha);
        assertThat(Files.readAllBytes(workspace.resolve("big.bin"))).isEqualTo(body);
    }

    private static CaravanProcess start(String name, Path root, Path connectors, String schema) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        Map<String, String> settings = Map.ofEntries(
                Map.entry("spring.datasource.url", TestDatabases.POSTGRES_URL + "?currentSchema=" + schema),
                Map.entry("spring.datasource.username", "postgres"),
                Map.entry("spring.datasource.password", ""),
                Map.entry("caravan.routes-dir", Files.createDirectories(dir.resolve("routes")).toString()),
                Map.entry("caravan.connectors-dir", connectors.toString()),
                Map.entry("caravan.data-dir", Files.createDirectories(dir.resolve("data")).toString()),
                Map.entry("caravan.secret-key", "import-kill-secret-key-shared-by-both-nodes"),
                Map.entry("caravan.import.allowed-hosts", "127.0.0.1"),
                Map.entry("caravan.import.lease", "3s"),
                Map.entry("caravan.import.poll-interval", "500ms"));
        return CaravanProcess.start(name, dir, CaravanProcess.freePort(), settings, Map.of("CARAVAN_ADMIN_TOKEN", ADMIN));
    }

    private static HttpResponse<String> admin(CaravanProcess node, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.base() + path))
                .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(20));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Duration limit, String what, Check check) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
