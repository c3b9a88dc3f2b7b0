package dev.caravan.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.CaravanApplication;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstreams in both eras. The 2026-07-28 peer is a second Caravan in this JVM (it serves both eras on
 * {@code /mcp/{endpoint}}), reached through {@link PeekingProxy}s that count the methods reaching it:
 * <ul>
 * <li>{@code modern}: protocol auto, bearer auth: discover lists 2026-07-28, so the modern client is used and no
 * {@code initialize} reaches the peer; a route added to the peer arrives through {@code subscriptions/listen};</li>
 * <li>{@code pinned}: protocol 2025 on the same peer: initialize, no discover;</li>
 * <li>{@code everything}: the real server-everything (2025 only): discover fails, initialize follows;</li>
 * <li>{@code hanging}: discover never answered: after the connect timeout, initialize, and online in 2025.</li>
 * </ul>
 */
class ModernUpstreamIT extends CaravanIntegrationTest {
    private static ConfigurableApplicationContext inner;
    private static String innerBase;
    private static Path innerRoutes;
    private static EverythingPeer everything;
    private static PeekingProxy modernProxy;
    private static PeekingProxy pinnedProxy;
    private static PeekingProxy hangingProxy;
    private static PeekingProxy flakyProxy;
    private static Published peer;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws Exception {
        peer = startInner();
        modernProxy = new PeekingProxy(innerBase);
        pinnedProxy = new PeekingProxy(innerBase);
        hangingProxy = new PeekingProxy(innerBase).hang("server/discover");
        flakyProxy = new PeekingProxy(innerBase);
        everything = EverythingPeer.streamableHttp(EverythingPeer.freePort());
        Path connectors = Files.createTempDirectory("caravan-modern-connectors");
        Files.writeString(connectors.resolve("upstreams.yaml"), """
                upstreams:
                  - name: modern
                    transport: streamable-http
                    url: "%s"
                    auth: {type: bearer, token: "%s"}
                    timeouts: {connect: 10s, call: 30s}
                  - name: pinned
                    transport: streamable-http
                    url: "%s"
                    protocol: 2025
                  - name: everything
                    transport: streamable-http
                    url: "%s"
                  - name: hanging
                    transport: streamable-http
                    url: "%s"
                    timeouts: {connect: 3s, call: 30s}
                  - name: strict
                    transport: streamable-http
                    url: "%s"
                    protocol: "2026-07-28"
                  - name: flaky
                    transport: streamable-http
                    url: "%s"
                    timeouts: {connect: 3s, call: 30s}
                """.formatted(modernProxy.url(peer.url()), peer.token(), pinnedProxy.url(peer.secretUrl()),
                everything.url(), hangingProxy.url(peer.secretUrl()), everything.url(),
                flakyProxy.url(peer.secretUrl())));
        registry.add("caravan.connectors-dir", connectors::toString);
        registry.add("caravan.upstream.poll-interval", () -> "200ms");
        registry.add("caravan.upstream.backoff-initial", () -> "200ms");
        registry.add("caravan.upstream.backoff-max", () -> "2s");
        registry.add("caravan.upstream.health-interval", () -> "1s");
    }

    /** The peer: one echo tool, published as the endpoint "peer". */
    private static Published startInner() throws Exception {
        Path root = Files.createTempDirectory("caravan-modern-peer");
        innerRoutes = Files.createDirectories(root.resolve("routes"));
        writeRoute("echo.yaml", "peer_echo", "Echoes its text back, upper-cased.");
        Files.writeString(innerRoutes.resolve("ask.yaml"), """
                - route:
                    id: peer-ask
                    from:
                      uri: ai-tool:peer_ask
                      parameters:
                        tags: peer
                        description: Asks the user's name first, then greets.
                      steps:
                        - setBody:
                            constant: What is your name?
                        - to:
                            uri: ai-client:elicitation
                            parameters:
                              requestedSchema: '{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}'
                        - setBody:
                            simple: "Hello ${body[name]} (${header.CaravanElicitationAction})"
                - route:
                    id: peer-sample
                    from:
                      uri: ai-tool:peer_sample
                      parameters:
                        tags: peer
                        description: Asks the client's model.
                      steps:
                        - setBody:
                            constant: What is 2+2?
                        - to: ai-client:sampling?maxTokens=10
                        - setBody:
                            simple: "model said ${body}"
                """);
        Files.writeString(innerRoutes.resolve("progress.yaml"), """
                - route:
                    id: peer-progress
                    from:
                      uri: ai-tool:peer_progress
                      parameters:
                        tags: peer
                        description: Reports progress 1 and 2 of 2, then answers done.
                      steps:
                        - to:
                            uri: ai-client:progress
                            parameters:
                              progress: 1
                              total: 2
                              message: half way
                        - to:
                            uri: ai-client:progress
                            parameters:
                              progress: 2
                              total: 2
                              message: all done
                        - setBody:
                            constant: done
                """);
        inner = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--server.port=0",
                "--caravan.routes-dir=" + innerRoutes,
                "--caravan.data-dir=" + Files.createDirectories(root.resolve("data")),
                "--caravan.connectors-dir=" + Files.createDirectories(root.resolve("connectors")),
                "--caravan.routes-poll-interval=200ms",
                "--CARAVAN_ADMIN_TOKEN=" + ADMIN_TOKEN);
        innerBase = "http://localhost:" + ((ServletWebServerApplicationContext) inner).getWebServer().getPort();
        await(Duration.ofSeconds(20), "the routes in the peer", () -> {
            String tools = innerAdmin("GET", "/admin/api/tools", null).body();
            return tools.contains("peer_echo") && tools.contains("peer_progress") && tools.contains("peer_sample");
        });
        HttpResponse<String> r = innerAdmin("POST", "/admin/api/endpoints",
                JSON.createObjectNode().put("name", "peer").set("tools", JSON.valueToTree(List.of("peer"))).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode n = json(r.body());
        return new Published(n.get("name").asText(), n.get("url").asText(), n.get("secretUrl").asText(),
                n.get("sseUrl").asText(), n.get("token").asText());
    }

    private static void writeRoute(String file, String tool, String description) throws Exception {
        Files.writeString(innerRoutes.resolve(file), """
                - route:
                    id: %s
                    from:
                      uri: ai-tool:%s
                      parameters:
                        tags: peer
                        description: %s
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: "${header.text.toUpperCase()}"
                """.formatted(tool.replace('_', '-'), tool, description));
    }

    private static HttpResponse<String> innerAdmin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(innerBase + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{modernProxy, pinnedProxy, hangingProxy, flakyProxy, everything}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
        if (inner != null) {
            inner.close();
        }
    }

    private JsonNode online(String upstream, Duration within) {
        await(within, upstream + " online", () -> "online".equals(status(upstream).path("state").asText()));
        return status(upstream);
    }

    private JsonNode status(String upstream) {
        return json(admin("GET", "/admin/api/upstreams/" + upstream, null).body());
    }

    @Test
    void aPeerThatDiscoversAs2026IsSpokenToInTheModernEraWithBearerAuth() throws Exception {
        JsonNode status = online("modern", Duration.ofSeconds(30));
        assertThat(status.path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(modernProxy.count("server/discover")).isPositive();
        assertThat(modernProxy.count("initialize")).as("initialize requests reaching the peer").isZero();
        assertThat(status.path("tools").toString()).contains("modern__peer_echo");

        Published ep = publish("modern-out", "modern");
        await(Duration.ofSeconds(10), "the modern upstream's tool on the endpoint", () -> admin("GET",
                "/admin/api/endpoints/modern-out", null).body().contains("modern__peer_echo"));
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("modern__peer_echo",
                    Map.of("text", "hello")));
            assertThat(r.isError()).as(r.toString()).isNotEqualTo(Boolean.TRUE);
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("HELLO");
        }
        assertThat(modernProxy.count("tools/call")).isPositive();
        assertThat(modernProxy.count("initialize")).isZero();

        // A route added to the peer reaches Caravan through subscriptions/listen (no session, no GET stream).
        writeRoute("late.yaml", "peer_late", "Arrives after the upstream connected.");
        await(Duration.ofSeconds(20), "the late tool on the modern upstream",
                () -> status("modern").path("tools").toString().contains("modern__peer_late"));
        assertThat(modernProxy.count("subscriptions/listen")).isPositive();
        assertThat(modernProxy.count("initialize")).isZero();
    }

    @Test
    void protocol2025ForcesInitializeEvenOnAModernPeer() {
        JsonNode status = online("pinned", Duration.ofSeconds(30));
        assertThat(status.path("protocolVersion").asText()).startsWith("2025-");
        assertThat(pinnedProxy.count("initialize")).isPositive();
        assertThat(pinnedProxy.count("server/discover")).isZero();
        assertThat(status.path("tools").toString()).contains("pinned__peer_echo");
    }

    @Test
    void aServerThatOnlySpeaks2025FallsBackToInitialize() {
        JsonNode status = online("everything", Duration.ofSeconds(30));
        assertThat(status.path("protocolVersion").asText()).startsWith("2025-");
        assertThat(status.path("toolCount").asInt()).isPositive();
    }

    @Test
    void aDiscoverThatHangsFallsBackAfterTheConnectTimeoutAndHoldsNothingElse() {
        // While discover hangs (3 s connect timeout), the node answers: the admin API and the other upstreams.
        assertThat(admin("GET", "/admin/api/upstreams", null).statusCode()).isEqualTo(200);
        JsonNode status = online("hanging", Duration.ofSeconds(30));
        assertThat(status.path("protocolVersion").asText()).startsWith("2025-");
        assertThat(hangingProxy.count("server/discover")).isPositive();
        assertThat(hangingProxy.count("initialize")).isPositive();
    }

    @Test
    void progressOfAModernUpstreamReachesTheCaller() {
        online("modern", Duration.ofSeconds(30));
        Published ep = publish("modern-progress", "modern");
        await(Duration.ofSeconds(10), "the progress tool on the endpoint", () -> admin("GET",
                "/admin/api/endpoints/modern-progress", null).body().contains("modern__peer_progress"));
        List<McpSchema.ProgressNotification> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep).progressConsumer(progress::add))) {
            McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder()
                    .name("modern__peer_progress").arguments(Map.of()).progressToken("tok-1").build());
            assertThat(r.isError()).as(r.toString()).isNotEqualTo(Boolean.TRUE);
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("done");
        }
        assertThat(progress).extracting(McpSchema.ProgressNotification::message)
                .containsExactly("half way", "all done");
        assertThat(progress).extracting(McpSchema.ProgressNotification::progressToken).containsOnly("tok-1");
    }

    @Test
    void protocol2026OnAServerWithoutItIsAnErrorThatSaysSo() {
        await(Duration.ofSeconds(30), "strict in error", () -> "error".equals(status("strict").path("state").asText()));
        String error = status("strict").path("lastError").asText();
        assertThat(error).startsWith("discover: ");
        assertThat(error).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(status("strict").path("toolCount").asInt()).isZero();
    }

    /**
     * The modern peer's elicitation and sampling are input_required rounds: Caravan asks its own (2025-era) caller
     * and sends the answers upstream with the peer's request state. A caller that cannot sample gets an isError
     * result that names the capability, at once instead of a hung call.
     */
    @Test
    void theInputRoundsOfAModernUpstreamAreAskedOfTheCallerAndAMissingCapabilityIsRefusedClearly() {
        online("modern", Duration.ofSeconds(30));
        Published ep = publish("modern-ask", "modern");
        await(Duration.ofSeconds(10), "the asking tools on the endpoint", () -> {
            String body = admin("GET", "/admin/api/endpoints/modern-ask", null).body();
            return body.contains("modern__peer_ask") && body.contains("modern__peer_sample");
        });
        List<McpSchema.ElicitRequest> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep)
                .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation().build())
                .sampling(req -> McpSchema.CreateMessageResult.builder().role(McpSchema.Role.ASSISTANT)
                        .content(new McpSchema.TextContent("4")).model("m").build())
                .elicitation(req -> {
                    asked.add(req);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("name", "Ada"));
                }))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("modern__peer_ask", Map.of()));
            assertThat(r.isError()).as(r.toString()).isNotEqualTo(Boolean.TRUE);
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("Hello Ada (accept)");
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).message()).isEqualTo("What is your name?");

            McpSchema.CallToolResult sampled = client.callTool(new McpSchema.CallToolRequest("modern__peer_sample",
                    Map.of()));
            assertThat(sampled.isError()).as(sampled.toString()).isNotEqualTo(Boolean.TRUE);
            assertThat(((McpSchema.TextContent) sampled.content().get(0)).text()).isEqualTo("model said 4");
        }
        try (McpSyncClient plain = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult refused = plain.callTool(new McpSchema.CallToolRequest("modern__peer_sample",
                    Map.of()));
            assertThat(refused.isError()).as(refused.toString()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().get(0)).text()).doesNotContain("model said")
                    .startsWith("Upstream 'modern' needs the client capability sampling for the call to 'peer_sample'");
        }
    }

    @Test
    void theAdminApiTakesTheProtocolAndRefusesAnUnknownOne() {
        HttpResponse<String> bad = admin("POST", "/admin/api/upstreams", JSON.createObjectNode().put("name", "bad")
                .put("transport", "streamable-http").put("url", peer.secretUrl()).put("protocol", "2026").toString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("protocol must be auto, 2026-07-28 or 2025, not '2026'")
                .doesNotContain(peer.token());
        HttpResponse<String> stdio = admin("POST", "/admin/api/upstreams", JSON.createObjectNode().put("name", "bad")
                .put("transport", "stdio").put("command", "true").put("protocol", "2026-07-28").toString());
        assertThat(stdio.statusCode()).isEqualTo(400);
        assertThat(stdio.body()).contains("protocol 2026-07-28 needs transport streamable-http");

        HttpResponse<String> created = admin("POST", "/admin/api/upstreams", JSON.createObjectNode()
                .put("name", "viaapi").put("transport", "streamable-http").put("url", peer.secretUrl())
                .put("protocol", "2026-07-28").toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(online("viaapi", Duration.ofSeconds(30)).path("protocolVersion").asText()).isEqualTo("2026-07-28");
        HttpResponse<String> legacy = admin("PATCH", "/admin/api/upstreams/viaapi", "{\"protocol\": 2025}");
        assertThat(legacy.statusCode()).as(legacy.body()).isBetween(200, 299);
        await(Duration.ofSeconds(30), "viaapi back in the 2025 era", () -> {
            JsonNode s = status("viaapi");
            return "online".equals(s.path("state").asText()) && s.path("protocolVersion").asText().startsWith("2025-");
        });
    }

    /** A modern upstream that goes down leaves the catalogue (its health check fails) and comes back modern. */
    @Test
    void aModernUpstreamThatGoesDownLeavesAndComesBackInTheModernEra() {
        assertThat(online("flaky", Duration.ofSeconds(30)).path("protocolVersion").asText()).isEqualTo("2026-07-28");
        flakyProxy.down(true);
        try {
            await(Duration.ofSeconds(20), "flaky in error",
                    () -> "error".equals(status("flaky").path("state").asText()));
            JsonNode down = status("flaky");
            assertThat(down.path("toolCount").asInt()).isZero();
            assertThat(down.path("lastError").asText()).isNotBlank().doesNotContain("\tat ");
        } finally {
            flakyProxy.down(false);
        }
        JsonNode back = online("flaky", Duration.ofSeconds(30));
        assertThat(back.path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(back.path("tools").toString()).contains("flaky__peer_echo");
        assertThat(flakyProxy.count("initialize")).isZero();
    }
}
