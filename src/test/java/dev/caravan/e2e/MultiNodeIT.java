package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.support.CaravanProcess;
import dev.caravan.support.Nginx;
import dev.caravan.support.TestDatabases;
import dev.caravan.workspace.storage.S3TestServer;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpClient;
import io.modelcontextprotocol.modern.client.McpSyncClient;
import io.modelcontextprotocol.modern.client.SubscriptionEvent;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three Caravan processes on one PostgreSQL schema and one S3 bucket (s3proxy), behind Debian's nginx doing plain
 * round robin. Sixteen 2026-07-28 clients call tools, lock and write files; one node is killed with SIGKILL in the
 * middle. Only the calls in flight on it fail; every client carries on with the same client object; no lock is
 * lost or held twice; every write a client saw succeed is in the bucket with the bytes it sent, and in the audit
 * trail. A 2025-11-25 session pinned to the dead node (nginx hashes the credential) gets 404 and re-initializes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 360, unit = TimeUnit.SECONDS) // three JVMs starting on two busy cores: see the class comment
class MultiNodeIT {
    static final String ADMIN = "multi-node-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Pattern LOCK_TOKEN = Pattern.compile("lockToken: (lck_[A-Za-z0-9_-]+)");
    static final int CLIENTS = 16;
    static final int SHARED_LOCKS = 4;
    static final String BUCKET = "nodes-bucket";

    S3TestServer s3;
    final List<CaravanProcess> nodes = new ArrayList<>();
    Nginx nginx;
    int roundRobinPort;
    int sessionsPort;
    String token;

    @BeforeAll
    void startThreeNodesBehindNginx() throws Exception {
        s3 = S3TestServer.start(S3TestServer.Store.KEYS);
        s3.createBucket(BUCKET);
        String schema = TestDatabases.newPostgresSchema();
        String secretKey = "multi-node-secret-key-shared-by-every-node";
        for (int i = 1; i <= 3; i++) {
            nodes.add(startNode("node" + i, schema, secretKey));
        }
        for (CaravanProcess n : nodes) {
            n.awaitReady(Duration.ofSeconds(180));
        }
        roundRobinPort = CaravanProcess.freePort();
        sessionsPort = CaravanProcess.freePort();
        nginx = Nginx.start(Files.createTempDirectory("caravan-nginx"), nginxHttp(nodes, roundRobinPort, sessionsPort),
                roundRobinPort);

        HttpResponse<String> created = admin(nodes.get(0), "POST", "/admin/api/endpoints",
                "{\"name\":\"team\",\"tools\":[\"workspace\",\"nodes\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        token = JSON.readTree(created.body()).path("token").asText();
        for (CaravanProcess n : nodes) {
            await(Duration.ofSeconds(30), n.name() + " to serve the endpoint and its tools", () -> {
                try {
                    return client(n.base()).tools().list().tools().stream()
                            .map(McpSchema.Tool::name).toList().containsAll(List.of("write_file", "nodes_echo"));
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (CaravanProcess n : nodes) {
            n.close();
        }
        if (nginx != null) {
            nginx.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    CaravanProcess startNode(String name, String schema, String secretKey) throws Exception {
        Path root = Files.createTempDirectory("caravan-" + name);
        Path routes = Files.createDirectories(root.resolve("routes/workspace"));
        Path connectors = Files.createDirectories(root.resolve("connectors"));
        try (Stream<Path> files = Files.list(Path.of("routes/workspace"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        Files.writeString(root.resolve("routes/nodes.yaml"), """
                - route:
                    id: nodes-echo
                    from:
                      uri: ai-tool:nodes_echo
                      parameters:
                        tags: nodes
                        description: Echo.
                        parameter.text: string
                      steps:
                        - setBody:
                            simple: "echo: ${header.text}"
                - route:
                    id: nodes-ask
                    from:
                      uri: ai-tool:nodes_ask
                      parameters:
                        tags: nodes
                        description: Asks the user's name first, then greets.
                        parameter.greeting: string
                      steps:
                        - setBody:
                            constant: What is your name?
                        - to:
                            uri: ai-client:elicitation
                            parameters:
                              requestedSchema: '{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}'
                        - setBody:
                            simple: "${header.greeting} ${body[name]} (${header.CaravanElicitationAction})"
                - route:
                    id: nodes-note
                    from:
                      uri: ai-resource:nodes_note
                      parameters:
                        tags: nodes
                        uri: memo://nodes-note
                        mimeType: text/plain
                      steps:
                        - setBody:
                            constant: a note
                - route:
                    id: nodes-touch
                    from:
                      uri: ai-tool:nodes_touch
                      parameters:
                        tags: nodes
                        description: Announces that the note changed.
                      steps:
                        - to:
                            uri: ai-resource:nodes_note
                            parameters:
                              uri: memo://nodes-note
                        - setBody:
                            constant: touched
                """);
        Files.writeString(connectors.resolve("workspaces.yaml"), """
                workspaces:
                  - name: team
                    backend: s3
                    bucket: %s
                    prefix: team
                    region: us-east-1
                    endpoint: %s
                    path-style: true
                    access-key-id: "${NODES_S3_KEY}"
                    secret-access-key: "${NODES_S3_SECRET}"
                """.formatted(BUCKET, s3.endpoint()));
        Map<String, String> settings = Map.ofEntries(
                Map.entry("spring.datasource.url", TestDatabases.POSTGRES_URL + "?currentSchema=" + schema),
                Map.entry("spring.datasource.username", "postgres"),
                Map.entry("spring.datasource.password", ""),
                Map.entry("caravan.routes-dir", root.resolve("routes").toString()),
                Map.entry("caravan.connectors-dir", connectors.toString()),
                Map.entry("caravan.data-dir", Files.createDirectories(root.resolve("data")).toString()),
                Map.entry("caravan.secret-key", secretKey),
                Map.entry("caravan.endpoint-reconcile-interval", "1s"),
                Map.entry("caravan.workspace.audit.change-store-wait", "2s"));
        return CaravanProcess.start(name, root, CaravanProcess.freePort(), settings, Map.of(
                "CARAVAN_ADMIN_TOKEN", ADMIN, "NODES_S3_KEY", "identity", "NODES_S3_SECRET", "credential"));
    }

    /**
     * The README's configuration. Round robin for the stateless era. {@code proxy_next_upstream error timeout}
     * (no {@code non_idempotent}): a request nginx could not hand to a node (connection refused: the node is down)
     * goes to the next one, but a POST that reached a node which then died is answered 502, never replayed: the
     * dead node may have done it (written the file, taken the lock), and doing it twice is worse than a failed call
     * the client sees. The second server pins 2025-era sessions by credential, which initialize carries too
     * (Mcp-Session-Id does not exist before initialize, so hashing it would send later requests elsewhere).
     */
    static String nginxHttp(List<CaravanProcess> nodes, int roundRobinPort, int sessionsPort) {
        StringBuilder servers = new StringBuilder();
        for (CaravanProcess n : nodes) {
            servers.append("    server 127.0.0.1:").append(n.port()).append(" max_fails=1 fail_timeout=30s;\n");
        }
        String proxy = """
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_buffering off;
                    proxy_read_timeout 300s;
                    proxy_next_upstream error timeout;
                    proxy_next_upstream_tries 3;
                    add_header X-Upstream $upstream_addr always;
                """;
        return """
                log_format upstreams '$msec $request_method $uri $status $upstream_addr $upstream_status';
                access_log logs/access.log upstreams;
                upstream caravan {
                %s    keepalive 32;
                }
                upstream caravan_sessions {
                    hash $http_authorization$arg_key consistent;
                %s    keepalive 32;
                }
                server {
                    listen 127.0.0.1:%d;
                    location / {
                        proxy_pass http://caravan;
                %s    }
                }
                server {
                    listen 127.0.0.1:%d;
                    location / {
                        proxy_pass http://caravan_sessions;
                %s    }
                }
                """.formatted(servers, servers, roundRobinPort, proxy.indent(4), sessionsPort, proxy.indent(4));
    }

    McpSyncClient client(String base) {
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(URI.create(base + "/mcp/team"))
                .connectTimeout(Duration.ofSeconds(2))
                .requestCustomizer(McpHttpRequestCustomizer.fromSync((request, headers, context) ->
                        headers.set("Authorization", "Bearer " + token)))
                .build();
        return McpClient.sync(transport).clientInfo(McpSchema.Implementation.builder("multi-node-it", "1").build())
                .callTimeout(Duration.ofSeconds(30)).build();
    }

    String nginxBase() {
        return "http://127.0.0.1:" + roundRobinPort;
    }

    /** One client's calls, each with when it started, how it ended, and (for writes) what it wrote. */
    static final class Ledger {
        final List<long[]> failures = new CopyOnWriteArrayList<>(); // {startedAtNanos, endedAtNanos}
        final List<String> failureReasons = new CopyOnWriteArrayList<>();
        final Map<String, String> written = new ConcurrentHashMap<>(); // path -> sha256 of what we sent
        final AtomicInteger iterations = new AtomicInteger();
        volatile long started;
        final AtomicInteger iterationsAfterKill = new AtomicInteger();
        final AtomicInteger lockRefusals = new AtomicInteger();
        final List<String> lockBreaches = new CopyOnWriteArrayList<>();
    }

    /** Thrown when the transport failed (not a tool error): the call may or may not have happened. */
    static final class CallFailed extends RuntimeException {
        CallFailed(Throwable cause) {
            super(cause);
        }
    }

    @Test
    void aNodeKilledMidLoadFailsOnlyItsCallsInFlightAndLosesNoLockNoWriteNoAuditRecord() throws Exception {
        // The 2025 era, pinned by credential: which node will our session live on? Make that node the victim.
        HttpResponse<String> probe = initialize2025(sessionsPort);
        assertThat(probe.statusCode()).isEqualTo(200);
        String oldSession = probe.headers().firstValue("Mcp-Session-Id").orElseThrow();
        String pinned = probe.headers().firstValue("X-Upstream").orElseThrow();
        CaravanProcess victim = nodes.stream().filter(n -> pinned.endsWith(":" + n.port())).findFirst().orElseThrow();
        io.modelcontextprotocol.client.McpSyncClient old = io.modelcontextprotocol.client.McpClient.sync(
                io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                        .builder("http://127.0.0.1:" + sessionsPort).endpoint("/mcp/team")
                        .httpRequestCustomizer((b, m, u, body, ctx) -> b.header("Authorization", "Bearer " + token))
                        .build()).requestTimeout(Duration.ofSeconds(20)).build();
        old.initialize();
        assertThat(echo2025(old, "before")).isEqualTo("echo: before");

        // A lock taken on the victim itself, before it dies.
        McpSyncClient direct = client(victim.base());
        String heldToken = lockToken(call(direct, "lock_acquire", "path", "held/by-victim", "ttlSeconds", 300));

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Ledger> ledgers = new ArrayList<>();
        Map<String, Integer> sharedHolders = new ConcurrentHashMap<>();
        long[] killedAt = {Long.MAX_VALUE};
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Ledger ledger = new Ledger();
                ledgers.add(ledger);
                int id = i;
                running.add(pool.submit(() -> load(id, client(nginxBase()), ledger, sharedHolders, killedAt, stop)));
            }
            await(Duration.ofSeconds(60), "every client through two iterations",
                    () -> ledgers.stream().allMatch(l -> l.iterations.get() >= 2));
            victim.kill();
            killedAt[0] = System.nanoTime();
            await(Duration.ofSeconds(60), "every client through three iterations after the kill",
                    () -> ledgers.stream().allMatch(l -> l.iterationsAfterKill.get() >= 3));
        } finally {
            stop.set(true); // not an interrupt: that would cancel calls in flight, which are not the kill's
            pool.shutdown();
            assertThat(pool.awaitTermination(40, TimeUnit.SECONDS)).as("clients stopped").isTrue();
        }
        for (Future<?> f : running) {
            f.get(); // a client that threw (an unexpected tool error, a breach) fails the test here
        }

        // Only calls in flight on the dead node failed: each failed call had started by the kill, or in the instant
        // after it, before nginx saw the node gone; at most one per client, as each client has one call at a time.
        long grace = TimeUnit.MILLISECONDS.toNanos(1500);
        List<String> reasons = ledgers.stream().flatMap(l -> l.failureReasons.stream()).toList();
        for (Ledger l : ledgers) {
            for (long[] f : l.failures) {
                assertThat(f[0]).as("a call that failed started in flight at the kill; failures: " + reasons)
                        .isLessThan(killedAt[0] + grace);
            }
        }
        assertThat(reasons.size()).as("failed calls: " + reasons).isLessThanOrEqualTo(CLIENTS);
        assertThat(ledgers).allSatisfy(l -> assertThat(l.lockBreaches).isEmpty());
        assertThat(ledgers.stream().mapToInt(l -> l.lockRefusals.get()).sum())
                .as("writes refused by a lock another node granted").isPositive();

        // No write lost: the bucket holds exactly what each client was told it wrote.
        int writes = 0;
        for (Ledger l : ledgers) {
            for (Map.Entry<String, String> w : l.written.entrySet()) {
                byte[] stored = s3.read(BUCKET, "team/" + w.getKey());
                assertThat(stored).as("object for " + w.getKey()).isNotNull();
                assertThat(sha256(stored)).as("content of " + w.getKey()).isEqualTo(w.getValue());
                writes++;
            }
        }
        assertThat(writes).isGreaterThanOrEqualTo(CLIENTS * 4);

        System.out.printf("MultiNodeIT: %d clients, killed %s (pid %d); %d calls failed (all in flight at the kill), "
                        + "%d writes checked in S3 and the audit trail, %d writes refused by a lock, %d iterations%n",
                CLIENTS, victim.name(), victim.pid(), reasons.size(), writes,
                ledgers.stream().mapToInt(l -> l.lockRefusals.get()).sum(),
                ledgers.stream().mapToInt(l -> l.iterations.get()).sum());

        // The audit trail has every successful write, whichever node did it (the dead one too).
        CaravanProcess alive = nodes.stream().filter(CaravanProcess::isAlive).findFirst().orElseThrow();
        for (int i = 0; i < CLIENTS; i++) {
            JsonNode records = JSON.readTree(admin(alive, "GET", "/admin/api/audit?workspace=team&operation=write_file"
                    + "&outcome=ok&path=c" + i + "&limit=500", null).body());
            Set<String> audited = ConcurrentHashMap.newKeySet();
            records.forEach(r -> audited.add(r.path("path").asText()));
            assertThat(audited).as("audited writes of client " + i).containsAll(ledgers.get(i).written.keySet());
        }

        // The lock taken on the dead node still holds, and its token still works, through any node.
        McpSyncClient any = client(nginxBase());
        McpSchema.CallToolResult refused = call(any, "write_file", "path", "held/by-victim/x.txt", "content", "no");
        assertThat(refused.isError()).isTrue();
        assertThat(text(refused)).contains("is locked");
        assertThat(call(any, "write_file", "path", "held/by-victim/x.txt", "content", "yes", "lockToken", heldToken)
                .isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(text(call(any, "lock_release", "lockToken", heldToken))).contains("Released");

        // The 2025 session lived on the dead node: another node answers its id with 404, as the spec says ...
        HttpResponse<String> gone = post2025(sessionsPort, oldSession,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
        assertThat(gone.statusCode()).isEqualTo(404);
        // ... and the SDK's client re-initializes (the call that met the 404 may fail) and carries on.
        String answer = null;
        for (int attempt = 0; attempt < 3 && answer == null; attempt++) {
            try {
                answer = echo2025(old, "after");
            } catch (RuntimeException e) {
                // the 404: the client starts a new session on the next call
            }
        }
        assertThat(answer).isEqualTo("echo: after");
        old.closeGracefully();
    }

    /**
     * One client's loop: an echo; an exclusive lock on a new file, which a write without its token must fail to
     * pass; the write with the token; the release; and a turn at one of a few locks all clients contend for.
     */
    void load(int id, McpSyncClient client, Ledger ledger, Map<String, Integer> sharedHolders, long[] killedAt,
              java.util.concurrent.atomic.AtomicBoolean stop) {
        for (int k = 0; !stop.get(); k++) {
            ledger.started = System.nanoTime();
            try {
                iteration(id, k, client, ledger, sharedHolders);
            } catch (CallFailed e) {
                // recorded; the next iteration goes on with the same client
            }
            ledger.iterations.incrementAndGet();
            if (ledger.started > killedAt[0]) {
                ledger.iterationsAfterKill.incrementAndGet();
            }
        }
    }

    void iteration(int id, int k, McpSyncClient client, Ledger ledger, Map<String, Integer> sharedHolders) {
        assertThat(text(guarded(ledger, client, "nodes_echo", "text", id + "/" + k))).isEqualTo("echo: " + id + "/" + k);
        String path = "c" + id + "/f" + k + ".txt";
        String lock = lockToken(guarded(ledger, client, "lock_acquire", "path", path, "ttlSeconds", 120));
        McpSchema.CallToolResult blocked = guarded(ledger, client, "write_file", "path", path, "content", "intruder");
        if (blocked.isError() == Boolean.TRUE && text(blocked).contains("is locked")) {
            ledger.lockRefusals.incrementAndGet();
        } else {
            ledger.lockBreaches.add(path + " written past its lock: " + text(blocked));
        }
        String content = "client " + id + " file " + k + " " + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + "x".repeat(ThreadLocalRandom.current().nextInt(200));
        McpSchema.CallToolResult wrote = guarded(ledger, client, "write_file", "path", path, "content", content,
                "lockToken", lock);
        assertThat(wrote.isError()).as(text(wrote)).isNotEqualTo(Boolean.TRUE);
        ledger.written.put(path, sha256(content.getBytes(StandardCharsets.UTF_8)));
        release(ledger, client, lock);

        String shared = "shared/s" + ((id + k) % SHARED_LOCKS);
        McpSchema.CallToolResult turn = guarded(ledger, client, "lock_acquire", "path", shared, "ttlSeconds", 20);
        if (turn.isError() != Boolean.TRUE) {
            Integer other = sharedHolders.putIfAbsent(shared, id);
            if (other != null) {
                ledger.lockBreaches.add(shared + " granted to client " + id + " while client " + other + " held it");
            }
            sharedHolders.remove(shared, id); // before the release, so the next holder never sees us
            release(ledger, client, lockToken(turn));
        } else {
            assertThat(text(turn)).contains("Cannot take");
        }
    }

    /** Releases; when the call failed in flight, once more through another node (it may have happened already). */
    void release(Ledger ledger, McpSyncClient client, String lock) {
        try {
            guarded(ledger, client, "lock_release", "lockToken", lock);
        } catch (CallFailed e) {
            call(client, "lock_release", "lockToken", lock);
            throw e;
        }
    }

    McpSchema.CallToolResult guarded(Ledger ledger, McpSyncClient client, String tool, Object... args) {
        long started = System.nanoTime();
        try {
            return call(client, tool, args);
        } catch (RuntimeException e) {
            ledger.failures.add(new long[] {started, System.nanoTime()});
            ledger.failureReasons.add(tool + ": " + e);
            throw new CallFailed(e);
        }
    }

    static McpSchema.CallToolResult call(McpSyncClient client, String tool, Object... args) {
        Map<String, Object> arguments = new java.util.LinkedHashMap<>();
        arguments.put("workspace", "team");
        for (int i = 0; i < args.length; i += 2) {
            arguments.put((String) args[i], args[i + 1]);
        }
        if (tool.startsWith("nodes_")) {
            arguments.remove("workspace");
        }
        return client.tool(tool).arguments(arguments).call();
    }

    static String lockToken(McpSchema.CallToolResult result) {
        Matcher m = LOCK_TOKEN.matcher(text(result));
        assertThat(m.find()).as(text(result)).isTrue();
        return m.group(1);
    }

    static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void aResourceUpdatedThroughOneNodeReachesAListenerOnAnother() throws Exception {
        List<CaravanProcess> alive = nodes.stream().filter(CaravanProcess::isAlive).toList();
        List<SubscriptionEvent> events = new CopyOnWriteArrayList<>();
        try (var listening = client(alive.get(0).base()).listen().resourceUpdates("memo://nodes-note")
                .open(events::add)) {
            await(Duration.ofSeconds(10), "the subscription acknowledged",
                    () -> events.stream().anyMatch(e -> e instanceof SubscriptionEvent.Subscribed));
            assertThat(text(client(alive.get(1).base()).tool("nodes_touch").call())).isEqualTo("touched");
            await(Duration.ofSeconds(10), "the other node's update", () -> events.stream().anyMatch(e ->
                    e instanceof SubscriptionEvent.ResourceUpdated u && u.uri().equals("memo://nodes-note")));
        }
    }

    @Test
    void anInputRoundStartedOnOneNodeIsAnsweredOnAnother() {
        // The request state is sealed with the key every node reads from the database, so the client's retry may
        // land on any node; a forged one is refused there too.
        List<CaravanProcess> alive = nodes.stream().filter(CaravanProcess::isAlive).toList();
        McpSchema.CallToolOutcome first = asking(alive.get(0).base()).tool("nodes_ask")
                .arguments(Map.of("greeting", "Hi")).callOnce();
        assertThat(first).isInstanceOf(McpSchema.InputRequiredResult.class);
        McpSchema.InputRequiredResult round = (McpSchema.InputRequiredResult) first;
        String key = round.inputRequests().keySet().iterator().next();
        Map<String, Object> answer = Map.of(key, Map.of("action", "accept", "content", Map.of("name", "Eve")));
        McpSchema.CallToolOutcome done = asking(alive.get(1).base()).tool("nodes_ask")
                .arguments(Map.of("greeting", "Hi")).inputResponses(answer).requestState(round.requestState()).callOnce();
        assertThat(text((McpSchema.CallToolResult) done)).isEqualTo("Hi Eve (accept)");
        String forged = round.requestState().substring(0, round.requestState().length() - 4) + "AAAA";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> asking(alive.get(1).base()).tool("nodes_ask")
                        .arguments(Map.of("greeting", "Hi")).inputResponses(answer).requestState(forged).callOnce())
                .hasMessageContaining("requestState");
    }

    McpSyncClient asking(String base) {
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(URI.create(base + "/mcp/team"))
                .requestCustomizer(McpHttpRequestCustomizer.fromSync((request, headers, context) ->
                        headers.set("Authorization", "Bearer " + token)))
                .build();
        return McpClient.sync(transport).clientInfo(McpSchema.Implementation.builder("multi-node-it", "1").build())
                .formElicitation(request -> {
                    throw new AssertionError("callOnce does not answer");
                }).build();
    }

    static String echo2025(io.modelcontextprotocol.client.McpSyncClient client, String text) {
        var r = client.callTool(new io.modelcontextprotocol.spec.McpSchema.CallToolRequest("nodes_echo",
                Map.of("text", text)));
        return ((io.modelcontextprotocol.spec.McpSchema.TextContent) r.content().get(0)).text();
    }

    HttpResponse<String> initialize2025(int port) throws Exception {
        return post2025(port, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"probe\",\"version\":\"1\"}}}");
    }

    HttpResponse<String> post2025(int port, String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp/team"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(CaravanProcess node, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.base() + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
}
