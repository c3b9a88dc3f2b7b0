package dev.caravan.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.Background;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * server-everything as a real upstream over stdio, Streamable HTTP and legacy SSE, plus upstreams that cannot
 * work (nothing listening, a web page instead of MCP, an unset variable, OAuth, disabled).
 */
class UpstreamsIT extends CaravanIntegrationTest {
    static final String TOKEN = "it-secret-token-4711";
    static Path connectorsDir;
    static EverythingPeer http;
    static EverythingPeer sse;
    static GarbageServer garbage;
    static String declaration;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        connectorsDir = Files.createTempDirectory("caravan-connectors");
        http = EverythingPeer.streamableHttp(EverythingPeer.freePort());
        sse = EverythingPeer.sse(EverythingPeer.freePort());
        garbage = new GarbageServer();
        declaration = """
                upstreams:
                  - name: everything
                    transport: stdio
                    command: %s
                    args: ["%s", stdio]
                    timeouts: {connect: 20s, call: 2s}
                  - name: web
                    transport: streamable-http
                    url: %s
                    exclude: ["trigger-*", "toggle-*"]
                  - name: old
                    transport: sse
                    url: %s
                    include: ["echo", "get-sum"]
                  - name: unreachable
                    transport: streamable-http
                    url: http://127.0.0.1:%d/mcp
                    timeouts: {connect: 2s}
                  - name: garbage
                    transport: streamable-http
                    url: %s
                    timeouts: {connect: 2s}
                    auth: {type: bearer, token: "${CARAVAN_IT_UPSTREAM_TOKEN}"}
                  - name: nokey
                    transport: streamable-http
                    url: http://127.0.0.1:9/mcp
                    auth: {type: headers, headers: {X-Api-Key: "${CARAVAN_IT_UNSET_VARIABLE}"}}
                  - name: oauthy
                    transport: streamable-http
                    url: http://127.0.0.1:9/mcp
                    auth: {type: oauth}
                  - name: later
                    transport: stdio
                    command: /bin/false
                    enabled: false
                  - name: mute
                    transport: stdio
                    command: %s
                    args: ["-e", "setInterval(() => {}, 1000)"]
                    timeouts: {connect: 1s}
                """.formatted(EverythingPeer.NODE, EverythingPeer.SCRIPT, http.url(), sse.url(),
                EverythingPeer.freePort(), garbage.url(), EverythingPeer.NODE);
        writeDeclaration(declaration);
        registry.add("caravan.connectors-dir", connectorsDir::toString);
        registry.add("caravan.upstream.poll-interval", () -> "200ms");
        registry.add("caravan.upstream.health-interval", () -> "1s");
        registry.add("caravan.upstream.backoff-initial", () -> "200ms");
        registry.add("caravan.upstream.backoff-max", () -> "2s");
        registry.add("CARAVAN_IT_UPSTREAM_TOKEN", () -> TOKEN);
    }

    @AfterAll
    static void stopPeers() {
        http.close();
        sse.close();
        garbage.close();
    }

    static void writeDeclaration(String yaml) {
        try {
            Path tmp = Files.createTempFile(connectorsDir, ".upstreams", ".part");
            Files.writeString(tmp, yaml);
            Files.move(tmp, connectorsDir.resolve("upstreams.yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode upstream(String name) {
        return json(admin("GET", "/admin/api/upstreams/" + name, null).body());
    }

    void awaitState(String name, String state) {
        await(Duration.ofSeconds(40), name + " " + state, () -> state.equals(upstream(name).path("state").asText()));
    }

    static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void stdioUpstreamToolsArePublishedWithThePrefixAndPassedThroughUntouched() throws Exception {
        awaitState("everything", "online");
        Published ep = publish("ev", "everything");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/ev", null).body().contains("everything__echo"));
        List<McpSchema.Tool> direct;
        // With the capabilities Caravan's client declares (server-everything lists its sampling and elicitation
        // tools only to clients that have them).
        try (McpSyncClient upstream = McpClient.sync(new StdioClientTransport(ServerParameters
                        .builder(EverythingPeer.NODE.toString()).args(EverythingPeer.stdioArgs()).build(),
                McpJsonDefaults.getMapper())).requestTimeout(Duration.ofSeconds(20))
                .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation(true, false).build())
                .sampling(request -> null).elicitation(request -> null).build()) {
            upstream.initialize();
            direct = upstream.listTools().tools();
        }
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            List<McpSchema.Tool> tools = client.listTools().tools();
            assertThat(tools).extracting(McpSchema.Tool::name).contains("everything__echo", "everything__get-sum",
                    "everything__get-structured-content").allMatch(n -> n.startsWith("everything__"));
            assertThat(tools).hasSize(direct.size());
            for (McpSchema.Tool original : direct) {
                McpSchema.Tool exported = tools.stream().filter(t -> t.name().equals("everything__" + original.name()))
                        .findFirst().orElseThrow();
                assertThat(exported.inputSchema()).isEqualTo(original.inputSchema());
                assertThat(exported.outputSchema()).isEqualTo(original.outputSchema());
                assertThat(exported.description()).isEqualTo(original.description());
                assertThat(exported.annotations()).isEqualTo(original.annotations());
            }
            McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("everything__echo",
                    Map.of("message", "hello upstream")));
            assertThat(echo.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(text(echo)).isEqualTo("Echo: hello upstream");

            McpSchema.CallToolResult structured = client.callTool(new McpSchema.CallToolRequest(
                    "everything__get-structured-content", Map.of("location", "New York")));
            assertThat(structured.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(structured.structuredContent()).isNotNull();

            // An upstream isError result passes through as isError.
            McpSchema.CallToolResult invalid = client.callTool(new McpSchema.CallToolRequest("everything__get-sum",
                    Map.of("a", "not a number")));
            assertThat(invalid.isError()).isTrue();
        }
        JsonNode status = upstream("everything");
        assertThat(status.path("resourceCount").asInt()).isPositive();
        assertThat(status.path("promptCount").asInt()).isPositive();
        assertThat(status.path("transport").asText()).isEqualTo("stdio");
        assertThat(status.path("toolCount").asInt()).isEqualTo(direct.size());
        assertThat(status.path("tools").toString()).contains("everything__echo");
    }

    @Test
    void resourcesTemplatesAndPromptsAreFederated() {
        awaitState("everything", "online");
        Published ep = publish("feds", "everything");
        await(Duration.ofSeconds(10), "prompts on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/feds", null).body().contains("everything__echo"));
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            List<McpSchema.Resource> resources = client.listResources().resources();
            McpSchema.Resource doc = resources.stream().filter(r -> r.uri().startsWith("demo://resource/static/"))
                    .findFirst().orElseThrow();
            McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(doc.uri()));
            assertThat(read.contents()).isNotEmpty();
            assertThat(read.contents().get(0).uri()).isEqualTo(doc.uri());

            assertThat(client.listResourceTemplates().resourceTemplates()).extracting(
                    McpSchema.ResourceTemplate::uriTemplate).contains("demo://resource/dynamic/text/{resourceId}");
            McpSchema.ReadResourceResult dynamic = client.readResource(
                    new McpSchema.ReadResourceRequest("demo://resource/dynamic/text/1"));
            assertThat(dynamic.contents().get(0)).isInstanceOf(McpSchema.TextResourceContents.class);

            assertThat(client.listPrompts().prompts()).extracting(McpSchema.Prompt::name)
                    .contains("everything__simple-prompt", "everything__args-prompt");
            McpSchema.GetPromptResult prompt = client.getPrompt(new McpSchema.GetPromptRequest(
                    "everything__simple-prompt", Map.of()));
            assertThat(((McpSchema.TextContent) prompt.messages().get(0).content()).text())
                    .isEqualTo("This is a simple prompt without arguments.");

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.readResource(
                            new McpSchema.ReadResourceRequest("demo://resource/dynamic/text/not-a-number")))
                    .isInstanceOf(io.modelcontextprotocol.spec.McpError.class)
                    .hasMessageContaining("Upstream 'everything' rejected reading");
        }
    }

    @Test
    void streamableHttpAndSseUpstreamsWithIncludeAndExclude() {
        awaitState("web", "online");
        awaitState("old", "online");
        Published ep = publish("webs", "web", "old");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/webs", null).body().contains("old__get-sum"));
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(names).contains("web__echo", "web__get-sum", "old__echo", "old__get-sum");
            assertThat(names).noneMatch(n -> n.startsWith("web__trigger-") || n.startsWith("web__toggle-"));
            assertThat(names.stream().filter(n -> n.startsWith("old__"))).hasSize(2);
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("web__echo", Map.of("message", "via http")))))
                    .isEqualTo("Echo: via http");
            McpSchema.CallToolResult sum = client.callTool(new McpSchema.CallToolRequest("old__get-sum",
                    Map.of("a", 2, "b", 3)));
            assertThat(text(sum)).contains("5");
        }
        assertThat(upstream("web").path("transport").asText()).isEqualTo("streamable-http");
        assertThat(upstream("old").path("transport").asText()).isEqualTo("sse");
    }

    @Test
    void routesCallUpstreamToolsAndHandleIsErrorWithOnException() {
        awaitState("everything", "online");
        writeRouteAndAwait("relay.yaml", """
                - onException:
                    exception:
                      - dev.caravan.upstream.UpstreamToolException
                    handled:
                      constant: true
                    steps:
                      - setBody:
                          simple: "handled: ${exception.message}"
                - route:
                    id: relay-echo
                    from:
                      uri: ai-tool:relay_echo
                      parameters:
                        tags: relay
                        description: Echoes through the everything upstream.
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: '{"message": "${header.text}"}'
                        - to: mcp:everything?tool=echo
                        - setBody:
                            simple: "relayed ${body}"
                - route:
                    id: relay-sum
                    from:
                      uri: ai-tool:relay_sum
                      parameters:
                        tags: relay
                        description: Adds with a map body and an invalid one.
                        parameter.a: string
                      steps:
                        - setBody:
                            simple: '{"a": "${header.a}", "b": 1}'
                        - to: mcp:everything?tool=get-sum
                - route:
                    id: relay-map
                    from:
                      uri: ai-tool:relay_map
                      parameters:
                        tags: relay
                        description: Passes its arguments (a map body) to the http upstream's echo.
                        parameter.message: string
                      steps:
                        - to: mcp:web?tool=echo
                - route:
                    id: relay-nowhere
                    from:
                      uri: ai-tool:relay_nowhere
                      parameters:
                        tags: relay
                        description: Calls an upstream that is down.
                      steps:
                        - to: mcp:unreachable?tool=echo
                """);
        Published ep = publish("relay", "relay");
        await(Duration.ofSeconds(10), "relay tools",
                () -> admin("GET", "/admin/api/endpoints/relay", null).body().contains("relay_sum"));
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("relay_echo",
                    Map.of("text", "from a route")));
            assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(text(r)).isEqualTo("relayed Echo: from a route");
            McpSchema.CallToolResult handled = client.callTool(new McpSchema.CallToolRequest("relay_sum",
                    Map.of("a", "x")));
            assertThat(handled.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(text(handled)).startsWith("handled: ").contains("a");
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("relay_map", Map.of("message", "mapped")))))
                    .isEqualTo("Echo: mapped");
            McpSchema.CallToolResult down = client.callTool(new McpSchema.CallToolRequest("relay_nowhere", Map.of()));
            assertThat(down.isError()).isTrue();
            assertThat(text(down)).startsWith("Upstream 'unreachable' is not reachable (").contains("Try again later");
        }
    }

    @Test
    void aHangingCallHitsItsTimeoutWhileTheEndpointStaysResponsiveAndProgressIsRelayed() throws Exception {
        awaitState("everything", "online");
        Published ep = publish("slow", "everything");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/slow", null).body().contains("everything__echo"));
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep).progressConsumer(progress::add));
             McpSyncClient other = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult quick = client.callTool(McpSchema.CallToolRequest.builder()
                    .name("everything__trigger-long-running-operation").arguments(Map.of("duration", 1, "steps", 2))
                    .progressToken("my-token").build());
            assertThat(quick.isError()).isNotEqualTo(Boolean.TRUE);
            await(Duration.ofSeconds(15), "relayed progress", () -> progress.size() >= 2);
            assertThat(progress).allMatch(p -> "my-token".equals(p.progressToken()));
            assertThat(progress.get(progress.size() - 1).progress()).isEqualTo(2.0);

            long start = System.nanoTime();
            CompletableFuture<McpSchema.CallToolResult> hanging = Background.call(() ->
                    client.callTool(new McpSchema.CallToolRequest("everything__trigger-long-running-operation",
                            Map.of("duration", 20, "steps", 2))));
            Thread.sleep(300);
            long echoStart = System.nanoTime();
            assertThat(text(other.callTool(new McpSchema.CallToolRequest("everything__echo",
                    Map.of("message", "still here"))))).isEqualTo("Echo: still here");
            assertThat(Duration.ofNanos(System.nanoTime() - echoStart)).isLessThan(Duration.ofSeconds(1));
            assertThat(hanging.isDone()).isFalse();

            McpSchema.CallToolResult timedOut = hanging.get(10, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(timedOut.isError()).isTrue();
            assertThat(text(timedOut)).contains("got no answer within 2 s");
            assertThat(took).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
        }
    }

    @Test
    void logMessagesOfTheUpstreamReachTheCaller() {
        awaitState("everything", "online");
        Published ep = publish("logs", "everything");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/logs", null).body().contains("everything__echo"));
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep).loggingConsumer(logs::add))) {
            client.setLoggingLevel(McpSchema.LoggingLevel.DEBUG);
            McpSchema.CallToolResult on = client.callTool(new McpSchema.CallToolRequest(
                    "everything__toggle-simulated-logging", Map.of()));
            try {
                assertThat(text(on)).startsWith("Started simulated");
                await(Duration.ofSeconds(15), "a relayed log message", () -> !logs.isEmpty());
                // server-everything's messages read "Info-level message", ... (and "Alert level-message").
                assertThat(logs.get(0).data()).containsIgnoringCase("message");
                assertThat(logs.get(0).logger()).isEqualTo("everything");
            } finally {
                client.callTool(new McpSchema.CallToolRequest("everything__toggle-simulated-logging", Map.of()));
            }
        }
    }

    @Test
    void samplingAndElicitationOfAStdioUpstreamReachTheCallerAndCallersWithoutThemAreRefused() {
        awaitState("everything", "online");
        Published ep = publish("ask", "everything");
        await(Duration.ofSeconds(10), "tools on the endpoint", () -> admin("GET", "/admin/api/endpoints/ask", null)
                .body().contains("everything__trigger-sampling-request"));
        List<McpSchema.CreateMessageRequest> sampled = new CopyOnWriteArrayList<>();
        List<McpSchema.ElicitFormRequest> elicited = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep)
                .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation().build())
                .sampling(request -> {
                    sampled.add(request);
                    return McpSchema.CreateMessageResult.builder().role(McpSchema.Role.ASSISTANT)
                            .content(new McpSchema.TextContent("forty-two")).model("relay-model").build();
                })
                .elicitation(request -> {
                    elicited.add(request);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null);
                }))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(
                    "everything__trigger-sampling-request", Map.of("prompt", "What is the answer?", "maxTokens", 10)));
            assertThat(r.isError()).as(r.toString()).isNotEqualTo(Boolean.TRUE);
            assertThat(r.toString()).contains("forty-two").contains("relay-model");
            assertThat(sampled).hasSize(1);
            assertThat(((McpSchema.TextContent) sampled.get(0).messages().get(0).content()).text())
                    .contains("What is the answer?");

            McpSchema.CallToolResult e = client.callTool(new McpSchema.CallToolRequest(
                    "everything__trigger-elicitation-request", Map.of()));
            assertThat(e.isError()).as(e.toString()).isNotEqualTo(Boolean.TRUE);
            assertThat(e.toString()).containsIgnoringCase("decline");
            assertThat(elicited).hasSize(1);
        }
        // A client without the capability: the upstream is answered with an error that says why.
        try (McpSyncClient plain = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = plain.callTool(new McpSchema.CallToolRequest(
                    "everything__trigger-sampling-request", Map.of("prompt", "anyone?", "maxTokens", 10)));
            assertThat(r.toString()).contains("does not support sampling");
        }
    }

    @Test
    void upstreamsThatCannotWorkShowWhy() {
        awaitState("unreachable", "error");
        JsonNode unreachable = upstream("unreachable");
        assertThat(unreachable.path("lastError").asText()).contains("cannot connect");
        assertThat(unreachable.path("toolCount").asInt()).isZero();

        awaitState("garbage", "error");
        JsonNode bad = upstream("garbage");
        assertThat(bad.path("lastError").asText()).isNotBlank().doesNotContain(TOKEN).doesNotContain("\tat ");
        assertThat(garbage.authorizations).contains("Bearer " + TOKEN);

        awaitState("nokey", "error");
        assertThat(upstream("nokey").path("lastError").asText())
                .isEqualTo("the environment variable CARAVAN_IT_UNSET_VARIABLE is not set");

        awaitState("oauthy", "needs-authorization");
        assertThat(upstream("oauthy").path("lastError").asText()).contains("OAuth");
        assertThat(upstream("later").path("state").asText()).isEqualTo("disabled");

        awaitState("mute", "error");
        assertThat(upstream("mute").path("lastError").asText()).isEqualTo("initialize: no answer in time");
        assertThat(upstream("mute").path("nextAttemptAt").isNull()).isFalse();

        assertThat(admin("GET", "/admin/api/upstreams/nope", null).statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/admin/api/upstreams/nope/reconnect", null).statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/admin/api/upstreams/unreachable/reconnect", null).statusCode()).isEqualTo(202);
        JsonNode all = json(admin("GET", "/admin/api/upstreams", null).body());
        assertThat(all.size()).isEqualTo(9);
        assertThat(all.toString()).doesNotContain(TOKEN);
        assertThat(send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + "/admin/api/upstreams"))
                .build()).statusCode()).isEqualTo(401);
    }

    @Test
    void aRouteToolOfTheSameNameKeepsItAndTheCollisionIsReported() {
        awaitState("everything", "online");
        writeRouteAndAwait("clash.yaml", """
                - route:
                    from:
                      uri: ai-tool:everything__echo
                      parameters:
                        tags: clash
                        description: Shadows the upstream's echo.
                      steps:
                        - setBody:
                            constant: mine
                """);
        try {
            await(Duration.ofSeconds(15), "collision", () -> admin("GET", "/admin/api/collisions", null).body()
                    .contains("everything__echo"));
            JsonNode collisions = json(admin("GET", "/admin/api/collisions", null).body());
            JsonNode c = null;
            for (JsonNode n : collisions) {
                if (n.path("name").asText().equals("everything__echo")) {
                    c = n;
                }
            }
            assertThat(c).isNotNull();
            assertThat(c.path("refused").asText()).isEqualTo("upstream everything");
        } finally {
            deleteRoute("clash.yaml");
        }
    }

    @Test
    void anInvalidDeclarationIsReportedAndChangesNothing() {
        awaitState("web", "online");
        String since = upstream("web").path("since").asText();
        writeDeclaration("upstreams:\n  - name: web\n    url: http://127.0.0.1:1/mcp\n");
        try {
            await(Duration.ofSeconds(15), "failed file status", () -> "failed".equals(
                    json(admin("GET", "/admin/api/upstreams-file", null).body()).path("state").asText()));
            JsonNode file = json(admin("GET", "/admin/api/upstreams-file", null).body());
            assertThat(file.path("file").asText()).endsWith("upstreams.yaml");
            assertThat(file.path("error").asText()).contains("upstreams[0] (web)").contains("transport is required");
            assertThat(upstream("web").path("state").asText()).isEqualTo("online");
            assertThat(upstream("web").path("since").asText()).isEqualTo(since);
        } finally {
            writeDeclaration(declaration);
        }
        await(Duration.ofSeconds(15), "restored", () -> "loaded".equals(
                json(admin("GET", "/admin/api/upstreams-file", null).body()).path("state").asText()));
        assertThat(upstream("web").path("since").asText()).isEqualTo(since);
    }
}
