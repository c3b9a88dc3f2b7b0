package dev.caravan.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.Background;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Upstreams that die: their tools leave the endpoints (with list_changed) and come back when they do. */
class UpstreamRecoveryIT extends CaravanIntegrationTest {
    static int port;
    static volatile EverythingPeer http;

    static Path connectors;
    static String declaration;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        connectors = Files.createTempDirectory("caravan-connectors");
        port = EverythingPeer.freePort();
        http = EverythingPeer.streamableHttp(port);
        declaration = """
                upstreams:
                  - name: flaky
                    transport: streamable-http
                    url: %s
                    timeouts: {connect: 2s, call: 10s}
                  - name: local
                    transport: stdio
                    command: %s
                    args: ["%s", stdio]
                    timeouts: {connect: 5s}
                """.formatted(http.url(), EverythingPeer.NODE, EverythingPeer.SCRIPT);
        Files.writeString(connectors.resolve("upstreams.yaml"), declaration);
        registry.add("caravan.connectors-dir", connectors::toString);
        registry.add("caravan.upstream.poll-interval", () -> "200ms");
        registry.add("caravan.upstream.health-interval", () -> "500ms");
        registry.add("caravan.upstream.backoff-initial", () -> "200ms");
        registry.add("caravan.upstream.backoff-max", () -> "1s");
    }

    @AfterAll
    static void stopPeer() {
        if (http != null) {
            http.close();
        }
    }

    JsonNode upstream(String name) {
        return json(admin("GET", "/admin/api/upstreams/" + name, null).body());
    }

    void awaitState(String name, String state) {
        await(Duration.ofSeconds(40), name + " " + state, () -> state.equals(upstream(name).path("state").asText()));
    }

    static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    static boolean hasTool(List<McpSchema.Tool> tools, String name) {
        return tools.stream().anyMatch(t -> t.name().equals(name));
    }

    @Test
    void anHttpUpstreamThatDiesLeavesTheEndpointsAndComesBack() throws Exception {
        awaitState("flaky", "online");
        Published ep = publish("recovery", "flaky");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/recovery", null).body().contains("flaky__echo"));
        List<List<McpSchema.Tool>> changes = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep).toolsChangeConsumer(changes::add))) {
            assertThat(hasTool(client.listTools().tools(), "flaky__echo")).isTrue();

            java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> inFlight =
                    Background.call(() -> client.callTool(
                            new McpSchema.CallToolRequest("flaky__trigger-long-running-operation",
                                    Map.of("duration", 30, "steps", 3))));
            sleep(500);
            long killed = System.nanoTime();
            http.kill();
            McpSchema.CallToolResult dead = inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(dead.isError()).isTrue();
            assertThat(((McpSchema.TextContent) dead.content().get(0)).text())
                    .startsWith("The call to 'trigger-long-running-operation' on upstream 'flaky' failed: ");
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(5));
            awaitState("flaky", "error");
            assertThat(upstream("flaky").path("lastError").asText()).isNotBlank();
            assertThat(upstream("flaky").path("toolCount").asInt()).isZero();
            await(Duration.ofSeconds(10), "list_changed without the tools",
                    () -> !changes.isEmpty() && !hasTool(changes.get(changes.size() - 1), "flaky__echo"));
            assertThat(hasTool(client.listTools().tools(), "flaky__echo")).isFalse();

            int seen = changes.size();
            http = EverythingPeer.streamableHttp(port);
            awaitState("flaky", "online");
            await(Duration.ofSeconds(10), "list_changed with the tools back",
                    () -> changes.size() > seen && hasTool(changes.get(changes.size() - 1), "flaky__echo"));
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("flaky__echo",
                    Map.of("message", "back again")));
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("Echo: back again");
        }
    }

    @Test
    void aStdioUpstreamThatDiesMidCallEndsTheCallAtOnceAndIsStartedAgain() throws Exception {
        awaitState("local", "online");
        Published ep = publish("local", "local");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/local", null).body().contains("local__echo"));
        ProcessHandle first = stdioPeer();
        String since = upstream("local").path("since").asText();
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            java.util.concurrent.CompletableFuture<McpSchema.CallToolResult> call =
                    Background.call(() -> client.callTool(
                            new McpSchema.CallToolRequest("local__trigger-long-running-operation",
                                    Map.of("duration", 30, "steps", 3))));
            Thread.sleep(500);
            long killed = System.nanoTime();
            first.destroyForcibly();
            McpSchema.CallToolResult r = call.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(5));
            assertThat(r.isError()).isTrue();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text())
                    .startsWith("The call to 'trigger-long-running-operation' on upstream 'local' failed: ")
                    .endsWith("Try again later.");
        }
        await(Duration.ofSeconds(20), "local leaves online",
                () -> !since.equals(upstream("local").path("since").asText()));
        awaitState("local", "online");
        ProcessHandle second = stdioPeer();
        assertThat(second.pid()).isNotEqualTo(first.pid());
        assertThat(upstream("local").path("toolCount").asInt()).isGreaterThan(0);
        assertThat(upstream("local").path("lastError").asText()).isEqualTo("the process exited");
    }

    @Test
    void anUpstreamsOwnListChangedRefreshesItsTools() throws IOException {
        // Hub behind hub: this Caravan's endpoint "inner" is the upstream "hub" of the same Caravan. Its tools
        // change when a route file is added, and the endpoint then sends tools/list_changed upstream.
        writeRouteAndAwait("inner-one.yaml", route("inner_one"));
        Published inner = publish("inner", "inner");
        Files.writeString(connectors.resolve("upstreams.yaml"), declaration + """
                  - name: hub
                    transport: streamable-http
                    url: %s/mcp/inner
                    auth: {type: headers, headers: {Authorization: "Bearer %s"}}
                """.formatted(baseUrl(), inner.token()));
        awaitState("hub", "online");
        assertThat(upstream("hub").path("tools").toString()).contains("hub__inner_one").doesNotContain("inner_two");

        writeRouteAndAwait("inner-two.yaml", route("inner_two"));
        await(Duration.ofSeconds(10), "hub__inner_two after the upstream's list_changed",
                () -> upstream("hub").path("tools").toString().contains("hub__inner_two"));
        assertThat(upstream("hub").path("toolCount").asInt()).isEqualTo(2);
        assertThat(admin("GET", "/admin/api/tools", null).body()).contains("hub__inner_two");
    }

    private static String route(String tool) {
        return """
                - route:
                    from:
                      uri: ai-tool:%s
                      parameters:
                        tags: inner
                        description: A tool of the inner endpoint.
                      steps:
                        - setBody:
                            constant: inner
                """.formatted(tool);
    }

    /** The server-everything child process Caravan started for the stdio upstream. */
    private static ProcessHandle stdioPeer() {
        // A test class that ran before in this JVM may still be stopping its own stdio peer: wait for it to go.
        await(Duration.ofSeconds(10), "exactly one stdio server-everything", () -> stdioPeers().size() == 1);
        return stdioPeers().get(0);
    }

    private static List<ProcessHandle> stdioPeers() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains("server-everything") && c.endsWith("stdio"))
                        .orElse(false)).toList();
    }
}
