package dev.caravan.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.support.ToolCalls;
import io.modelcontextprotocol.client.McpSyncClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * URL import end to end: the shipped tools (routes/workspace/imports.yaml) called with the SDK client, importing
 * from a real local HTTP server. 127.0.0.1 is reachable only because the allow-list names it (AddressGuardTest
 * proves it is refused by default).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = {"caravan.import.allowed-hosts=127.0.0.1", "caravan.import.poll-interval=200ms",
        "caravan.import.lease=2s", "caravan.import.read-timeout=5s"})
class ImportsIT extends CaravanIntegrationTest {
    static final byte[] BLOB = new byte[300_000];
    HttpServer server;
    String base;
    McpSyncClient client;
    final AtomicInteger limited = new AtomicInteger();
    final AtomicInteger drops = new AtomicInteger();

    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    void start() throws IOException {
        new Random(7).nextBytes(BLOB);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/files/", ex -> send(ex, 200, BLOB, "application/octet-stream", null));
        server.createContext("/named", ex -> send(ex, 200, "hello".getBytes(StandardCharsets.UTF_8), "text/plain",
                "attachment; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%2F..%2Fx.txt"));
        server.createContext("/hop/", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring(5));
            ex.getResponseHeaders().set("Location", n == 0 ? "/files/end.bin" : "/hop/" + (n - 1));
            send(ex, 302, new byte[0], null, null);
        });
        server.createContext("/to-metadata", ex -> {
            ex.getResponseHeaders().set("Location", "http://169.254.169.254/latest/meta-data/");
            send(ex, 301, new byte[0], null, null);
        });
        server.createContext("/missing", ex -> send(ex, 404, new byte[0], null, null));
        server.createContext("/broken", ex -> send(ex, 500, new byte[0], null, null));
        server.createContext("/limited", ex -> {
            if (limited.getAndIncrement() == 0) {
                ex.getResponseHeaders().set("Retry-After", "1");
                send(ex, 429, new byte[0], null, null);
            } else {
                send(ex, 200, "after the wait".getBytes(StandardCharsets.UTF_8), "text/plain", null);
            }
        });
        server.createContext("/drop.bin", this::dropThenResume);
        server.createContext("/slow.bin", ex -> {
            ex.sendResponseHeaders(200, 10_000_000);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    out.write(new byte[10_000]);
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (InterruptedException | IOException e) {
                // the client went away
            }
        });
        server.createContext("/paced.bin", ex -> {
            ex.sendResponseHeaders(200, 400_000);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 20; i++) {
                    out.write(new byte[20_000]);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        installRoutes("workspace");
        client = initialized(streamableClient(publish("imports", "workspace")));
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.closeGracefully();
        }
        server.stop(0);
    }

    private void dropThenResume(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        ex.getResponseHeaders().set("ETag", "\"blob-1\"");
        if (range == null) {
            drops.incrementAndGet();
            ex.sendResponseHeaders(200, BLOB.length);
            OutputStream out = ex.getResponseBody();
            out.write(BLOB, 0, 100_000);
            out.flush();
            ex.getHttpContext().getServer(); // then cut the connection mid-body
            ex.close();
            return;
        }
        assertThat(ex.getRequestHeaders().getFirst("If-Range")).isEqualTo("\"blob-1\"");
        int from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (BLOB.length - 1) + "/" + BLOB.length);
        ex.sendResponseHeaders(206, BLOB.length - from);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(BLOB, from, BLOB.length - from);
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type, String disposition)
            throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        if (disposition != null) {
            ex.getResponseHeaders().set("Content-Disposition", disposition);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    JsonNode imported(Object... args) {
        return json(ToolCalls.ok(client, "import_url", args));
    }

    String failed(Object... args) {
        return ToolCalls.error(client, "import_url", args);
    }

    Path file(String path) {
        return dataDir.resolve("workspaces/default").resolve(path);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void importsIntoAFolderNamedAfterTheUrlWithItsDigest() throws Exception {
        JsonNode job = imported("url", base + "/files/data.bin?x=1", "path", "in/", "wait", 20);
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(job.path("file").path("path").asText()).isEqualTo("in/data.bin");
        assertThat(job.path("file").path("sha256").asText()).isEqualTo(sha256(BLOB));
        assertThat(job.path("file").path("contentType").asText()).isEqualTo("application/octet-stream");
        assertThat(job.path("bytes").asLong()).isEqualTo(BLOB.length);
        assertThat(job.path("url").asText()).doesNotContain("x=1");
        assertThat(Files.readAllBytes(file("in/data.bin"))).isEqualTo(BLOB);
        JsonNode status = json(ToolCalls.ok(client, "import_status", "job", job.path("job").asText()));
        assertThat(status.path("file").path("etag").asText()).isNotBlank();
        assertThat(ToolCalls.ok(client, "import_list")).contains(job.path("job").asText());
    }

    @Test
    void theNameComesFromContentDispositionSanitised() throws Exception {
        JsonNode job = imported("url", base + "/named", "path", "names/", "wait", 20);
        assertThat(job.path("file").path("path").asText()).isEqualTo("names/résumé_.._x.txt");
        assertThat(job.path("file").path("contentType").asText()).isEqualTo("text/plain");
    }

    @Test
    void conflictsRenameOverwriteKeepingAVersionOrFail() throws Exception {
        imported("url", base + "/named", "path", "c/a.txt", "wait", 20);
        JsonNode renamed = imported("url", base + "/named", "path", "c/a.txt", "wait", 20);
        assertThat(renamed.path("file").path("path").asText()).isEqualTo("c/a (1).txt");
        Files.writeString(file("c/a.txt"), "old");
        imported("url", base + "/named", "path", "c/a.txt", "onConflict", "overwrite", "wait", 20);
        assertThat(Files.readString(file("c/a.txt"))).isEqualTo("hello");
        assertThat(ToolCalls.ok(client, "list_versions", "path", "c/a.txt")).contains("overwrite");
        assertThat(failed("url", base + "/named", "path", "c/a.txt", "onConflict", "fail", "wait", 20))
                .contains("already_exists");
    }

    @Test
    void redirectsAreFollowedUpToFiveAndEveryHopIsChecked() {
        assertThat(imported("url", base + "/hop/4", "path", "r/", "wait", 20).path("file").path("path").asText())
                .isEqualTo("r/end.bin");
        assertThat(failed("url", base + "/hop/5", "path", "r/", "wait", 20)).contains("too_many_redirects");
        assertThat(failed("url", base + "/to-metadata", "path", "r/", "wait", 20)).contains("blocked_address");
    }

    @Test
    void refusedAddressesAndBadAnswersEndWithTheirReason() {
        assertThat(failed("url", "http://169.254.169.254/latest/meta-data/", "wait", 20)).contains("blocked_address");
        assertThat(failed("url", "http://2852039166/", "wait", 20)).contains("blocked_address");
        assertThat(failed("url", "http://[::ffff:127.0.0.2]:" + server.getAddress().getPort() + "/files/x",
                "wait", 20)).contains("blocked_address");
        assertThat(failed("url", "http://127.0.0.2:" + server.getAddress().getPort() + "/files/x", "wait", 20))
                .contains("blocked_address");
        assertThat(failed("url", base + "/missing", "wait", 20)).contains("not_found");
        assertThat(failed("url", base + "/broken", "wait", 20)).contains("http_status").contains("500");
        assertThat(ToolCalls.error(client, "import_url", "url", "file:///etc/passwd")).contains("http and https");
        assertThat(ToolCalls.error(client, "import_url", "url", base + "/files/x", "path", "../x"))
                .doesNotContain(dataDir.toString());
    }

    @Test
    void aRateLimitIsWaitedOut() {
        assertThat(imported("url", base + "/limited", "path", "rl.txt", "wait", 20).path("state").asText())
                .isEqualTo("done");
        assertThat(limited.get()).isEqualTo(2);
    }

    @Test
    void aDroppedConnectionResumesWithRange() throws Exception {
        JsonNode job = imported("url", base + "/drop.bin", "path", "resumed.bin", "wait", 20);
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(drops.get()).isEqualTo(1);
        assertThat(Files.readAllBytes(file("resumed.bin"))).isEqualTo(BLOB);
    }

    @Test
    void aCancelledImportLeavesNothingBehind() {
        JsonNode job = imported("url", base + "/slow.bin", "path", "slow.bin");
        String id = job.path("job").asText();
        await(Duration.ofSeconds(10), "the import to run", () -> json(ToolCalls.ok(client, "import_status", "job", id))
                .path("bytes").asLong() > 0);
        ToolCalls.ok(client, "import_cancel", "job", id);
        await(Duration.ofSeconds(10), "the import to end", () -> json(ToolCalls.ok(client, "import_status", "job", id))
                .path("state").asText().equals("failed"));
        assertThat(json(ToolCalls.ok(client, "import_status", "job", id)).path("reason").asText()).isEqualTo("cancelled");
        assertThat(file("slow.bin")).doesNotExist();
    }

    @Test
    void aJobWhoseNodeDiedIsRunAgainOnceThenEndsInterrupted() {
        OffsetDateTime stale = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
        String again = UUID.randomUUID().toString();
        String dead = UUID.randomUUID().toString();
        for (String id : new String[] {again, dead}) {
            jdbc.update("insert into import_job (id, workspace, target, url, provider, on_conflict, principal, state, "
                            + "bytes, attempts, cancel_requested, lease_owner, lease_until, created_at, updated_at) "
                            + "values (?, 'default', ?, ?, 'web', 'overwrite', 'admin', 'running', 5, ?, false, "
                            + "'dead-node', ?, ?, ?)", id, "lease/" + id + ".txt", base + "/named",
                    id.equals(again) ? 1 : 2, stale, stale, stale);
        }
        await(Duration.ofSeconds(15), "both jobs to end", () -> jdbc.queryForObject(
                "select count(*) from import_job where id in (?, ?) and state in ('done', 'failed')", Integer.class,
                again, dead) == 2);
        assertThat(json(admin("GET", "/admin/api/imports/" + again, null).body()).path("state").asText())
                .isEqualTo("done");
        JsonNode interrupted = json(admin("GET", "/admin/api/imports/" + dead, null).body());
        assertThat(interrupted.path("reason").asText()).isEqualTo("interrupted");
        assertThat(file("lease/" + dead + ".txt")).doesNotExist();
    }

    @Test
    void aWaitingCallGetsProgressNotifications() {
        java.util.List<io.modelcontextprotocol.spec.McpSchema.ProgressNotification> seen =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        McpSyncClient watching = initialized(streamableClient(publish("imports-progress", "workspace"))
                .progressConsumer(seen::add));
        try {
            var result = watching.callTool(io.modelcontextprotocol.spec.McpSchema.CallToolRequest.builder()
                    .name("import_url").arguments(java.util.Map.of("url", base + "/paced.bin", "path", "paced.bin",
                            "wait", 20)).progressToken("p-1").build());
            assertThat(result.isError()).isFalse();
            assertThat(seen).isNotEmpty().allSatisfy(n -> {
                assertThat(n.progressToken()).isEqualTo("p-1");
                assertThat(n.total()).isEqualTo(400_000.0);
            });
            assertThat(seen.get(seen.size() - 1).progress()).isGreaterThan(seen.get(0).progress());
        } finally {
            watching.closeGracefully();
        }
    }

    @Test
    void theAdminApiStartsListsAndCancels() {
        var created = admin("POST", "/admin/api/imports", "{\"workspace\":\"default\",\"url\":\"" + base
                + "/slow.bin\",\"path\":\"admin/\"}");
        assertThat(created.statusCode()).isEqualTo(202);
        String id = json(created.body()).path("job").asText();
        assertThat(admin("GET", "/admin/api/imports", null).body()).contains(id);
        assertThat(admin("DELETE", "/admin/api/imports/" + id, null).statusCode()).isEqualTo(200);
        await(Duration.ofSeconds(10), "the cancelled job to end", () -> json(admin("GET", "/admin/api/imports/" + id,
                null).body()).path("reason").asText().equals("cancelled"));
        assertThat(admin("POST", "/admin/api/imports", "{\"workspace\":\"nope\",\"url\":\"http://x/\"}").statusCode())
                .isEqualTo(400);
        assertThat(admin("GET", "/admin/api/imports/nope", null).statusCode()).isEqualTo(404);
        // an admin job is not the MCP caller's
        assertThat(ToolCalls.error(client, "import_status", "job", id)).contains("no import job");
    }
}
