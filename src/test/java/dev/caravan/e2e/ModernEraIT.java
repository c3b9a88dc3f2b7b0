package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpClient;
import io.modelcontextprotocol.modern.client.McpSyncClient;
import io.modelcontextprotocol.modern.client.McpSyncElicitationHandler;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The 2026-07-28 revision on a published endpoint, through the SDK's modern client: discovery, listings with
 * caching hints, scopes, tool calls, elicitation as input_required rounds, and refusal of a wrong credential and
 * of tampered or foreign request state. The same URL still serves 2025 sessions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModernEraIT extends CaravanIntegrationTest {
    private java.nio.file.Path MARKERS; // under this run's data dir
    private Published full;

    @org.springframework.test.context.DynamicPropertySource
    static void quickKeepAlive(org.springframework.test.context.DynamicPropertyRegistry registry) {
        // A vanished client is noticed at the next ping: keep the test short.
        registry.add("caravan.mcp.keep-alive", () -> "300ms");
    }
    private Published reader;

    @BeforeAll
    void routes() {
        MARKERS = dataDir.resolve("modern-markers");
        writeRouteAndAwait("modern.yaml", ("""
                - route:
                    id: m-echo
                    from:
                      uri: ai-tool:m_echo
                      parameters:
                        tags: modern
                        description: Echoes its text.
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: "echo: ${header.text}"
                - route:
                    id: m-write
                    from:
                      uri: ai-tool:m_write
                      parameters:
                        tags: modern,workspace-write
                        description: Stands for a tool that writes.
                      steps:
                        - setBody:
                            constant: written
                - route:
                    id: m-ask
                    from:
                      uri: ai-tool:m_ask
                      parameters:
                        tags: modern
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
                    id: m-note
                    from:
                      uri: ai-resource:m_note
                      parameters:
                        tags: modern
                        uri: memo://m-note
                        mimeType: text/plain
                      steps:
                        - setBody:
                            constant: a note
                - route:
                    id: m-touch
                    from:
                      uri: ai-tool:m_touch
                      parameters:
                        tags: modern
                        description: Announces that the note changed.
                      steps:
                        - to:
                            uri: ai-resource:m_note
                            parameters:
                              uri: memo://m-note
                        - setBody:
                            constant: touched
                - route:
                    id: m-slow-write
                    from:
                      uri: ai-tool:m_slow_write
                      parameters:
                        tags: modern
                        description: Waits, then leaves a marker file.
                        parameter.tag: string
                      steps:
                        - delay:
                            constant: 2000
                        - setBody:
                            constant: done
                        - toD: "file:MARKERS_DIR?fileName=${header.tag}.done"
                - route:
                    id: m-chatty
                    from:
                      uri: ai-tool:m_chatty
                      parameters:
                        tags: modern
                        description: Reports progress.
                      steps:
                        - to: ai-client:progress?progress=1&total=2&message=half
                        - to: ai-client:progress?progress=2&total=2&message=done
                        - setBody:
                            constant: finished
                """).replace("MARKERS_DIR", MARKERS.toString()));
        full = publish("modern", "modern");
        HttpResponse<String> r = admin("POST", "/admin/api/endpoints/modern/credentials",
                "{\"name\":\"reader\",\"operations\":[\"read\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode n = json(r.body());
        reader = new Published("modern", n.get("url").asText(), n.get("secretUrl").asText(), n.get("sseUrl").asText(),
                n.get("token").asText());
    }

    private McpSyncClient client(Published endpoint, McpSyncElicitationHandler<McpSchema.ElicitFormRequest> elicit) {
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(URI.create(endpoint.url()))
                .requestCustomizer(McpHttpRequestCustomizer.fromSync((request, headers, context) ->
                        headers.set("Authorization", "Bearer " + endpoint.token())))
                .build();
        McpClient.SyncBuilder builder = McpClient.sync(transport)
                .clientInfo(McpSchema.Implementation.builder("modern-it", "1").build());
        if (elicit != null) {
            builder.formElicitation(elicit);
        }
        return builder.build();
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void discoverNamesTheRevisionAndTheServer() {
        McpSchema.DiscoverResult discovered = client(full, null).discover();
        assertThat(discovered.supportedVersions()).contains("2026-07-28");
        assertThat(discovered.capabilities().tools()).isNotNull();
    }

    @Test
    void listingsCarryTtlAndFollowTheCredentialsScopes() {
        McpSchema.ListToolsResult all = client(full, null).tools().list();
        assertThat(all.tools()).extracting(McpSchema.Tool::name).contains("m_echo", "m_write", "m_ask");
        assertThat(all.ttlMs()).isPositive();
        assertThat(client(reader, null).tools().list().tools()).extracting(McpSchema.Tool::name)
                .contains("m_echo").doesNotContain("m_write");
    }

    @Test
    void aReadOnlyCredentialCannotCallAWriteTool() {
        assertThatThrownBy(() -> client(reader, null).tool("m_write").call())
                .hasMessageContaining("m_write");
    }

    @Test
    void callsATool() {
        McpSchema.CallToolResult result = client(full, null).tool("m_echo").arguments(Map.of("text", "hi")).call();
        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(text(result)).isEqualTo("echo: hi");
    }

    @Test
    void progressReachesTheCaller() {
        List<Double> seen = new CopyOnWriteArrayList<>();
        McpSchema.CallToolResult result = client(full, null).tool("m_chatty")
                .progress(p -> seen.add(p.progress())).call();
        assertThat(text(result)).isEqualTo("finished");
        assertThat(seen).containsExactly(1.0, 2.0);
    }

    @Test
    void elicitationIsAnInputRoundAndTheRouteResumesWithTheAnswer() {
        AtomicInteger asked = new AtomicInteger();
        McpSyncClient client = client(full, request -> {
            asked.incrementAndGet();
            assertThat(request.message()).isEqualTo("What is your name?");
            return McpSchema.ElicitResult.builder(McpSchema.ElicitResult.Action.ACCEPT).content(Map.of("name", "Ada")).build();
        });
        McpSchema.CallToolResult result = client.tool("m_ask").arguments(Map.of("greeting", "Hello")).call();
        assertThat(text(result)).isEqualTo("Hello Ada (accept)");
        assertThat(asked).hasValue(1);
    }

    @Test
    void listenersHearOfNewToolsAndResourceUpdates() throws Exception {
        List<io.modelcontextprotocol.modern.client.SubscriptionEvent> events = new CopyOnWriteArrayList<>();
        McpSyncClient client = client(full, null);
        try (var listening = client.listen().toolsChanged().resourceUpdates("memo://m-note").open(events::add)) {
            await(Duration.ofSeconds(10), "the subscription acknowledged", () -> events.stream()
                    .anyMatch(e -> e instanceof io.modelcontextprotocol.modern.client.SubscriptionEvent.Subscribed));
            writeRouteAndAwait("modern-more.yaml", """
                    - route:
                        id: m-late
                        from:
                          uri: ai-tool:m_late
                          parameters:
                            tags: modern
                            description: Arrives after the listener.
                          steps:
                            - setBody:
                                constant: late
                    """);
            await(Duration.ofSeconds(10), "tools list_changed", () -> events.stream().anyMatch(e -> e.getClass()
                    .getSimpleName().equals("ToolsListChanged")));
            assertThat(text(client.tool("m_touch").call())).isEqualTo("touched");
            await(Duration.ofSeconds(10), "the note's update", () -> events.stream().anyMatch(e ->
                    e instanceof io.modelcontextprotocol.modern.client.SubscriptionEvent.ResourceUpdated u
                            && u.uri().equals("memo://m-note")));
        } finally {
            deleteRoute("modern-more.yaml");
        }
    }

    @Test
    void aClientThatGoesAwayCancelsTheCall() throws Exception {
        String request = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"m_slow_write\",\"arguments\":{\"tag\":\"gone\"},\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        byte[] body = request.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            String head = "POST /mcp/modern HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer "
                    + full.token() + "\r\nContent-Type: application/json\r\nAccept: " + ACCEPT_MCP
                    + "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: m_slow_write"
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            // The response stream has started (status line), the route is in its delay: go away.
            byte[] start = new byte[12];
            assertThat(socket.getInputStream().readNBytes(start, 0, 12)).isEqualTo(12);
            assertThat(new String(start, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        }
        // A call started after the abandoned one, with the same delay, finishing proves the other's last step had
        // its turn: it must not have run.
        assertThat(text(client(full, null).tool("m_slow_write").arguments(Map.of("tag", "stayed")).call()))
                .isEqualTo("done");
        await(Duration.ofSeconds(10), "the control marker", () -> java.nio.file.Files.exists(MARKERS.resolve("stayed.done")));
        Thread.sleep(500);
        assertThat(MARKERS.resolve("gone.done")).doesNotExist();
    }

    @Test
    void aWrongCredentialIsRefused() {
        Published wrong = new Published(full.name(), full.url(), full.secretUrl(), full.sseUrl(), "not-the-token");
        assertThatThrownBy(() -> client(wrong, null).tools().list()).hasMessageContaining("401");
    }

    @Test
    void tamperedForeignOrMismatchedRequestStateIsRefused() throws Exception {
        McpSyncElicitationHandler<McpSchema.ElicitFormRequest> never = request -> {
            throw new AssertionError("callOnce does not answer");
        };
        McpSchema.CallToolOutcome first = client(full, never).tool("m_ask").arguments(Map.of("greeting", "Hi")).callOnce();
        assertThat(first).isInstanceOf(McpSchema.InputRequiredResult.class);
        McpSchema.InputRequiredResult round = (McpSchema.InputRequiredResult) first;
        String key = round.inputRequests().keySet().iterator().next();
        String state = round.requestState();
        Map<String, Object> answer = Map.of(key, Map.of("action", "accept", "content", Map.of("name", "Eve")));

        // The payload changed (a later expiry), the signature kept: refused.
        var payload = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                Base64.getUrlDecoder().decode(state.substring(0, state.lastIndexOf('.'))));
        payload.put("exp", payload.path("exp").asLong() + 86_400_000L);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(payload))
                + state.substring(state.lastIndexOf('.'));
        assertRefused(full, "Hi", answer, forged, "Invalid or expired requestState");
        // Another credential of the same endpoint may not resume this caller's call.
        assertRefused(reader, "Hi", answer, state, "Invalid or expired requestState");
        // Other arguments than those the state was issued for.
        assertRefused(full, "Ho", answer, state, "other arguments");
        // No answer to the pending question.
        assertRefused(full, "Hi", Map.of(), state, "no answer");

        // The genuine retry completes.
        McpSchema.CallToolOutcome done = client(full, never).tool("m_ask").arguments(Map.of("greeting", "Hi"))
                .inputResponses(answer).requestState(state).callOnce();
        assertThat(text((McpSchema.CallToolResult) done)).isEqualTo("Hi Eve (accept)");
    }

    /** A raw retry, so the exact JSON-RPC error is seen. */
    private void assertRefused(Published endpoint, String greeting, Map<String, Object> answers, String state,
                               String message) throws Exception {
        String body = JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", 7, "method", "tools/call",
                "params", Map.of("name", "m_ask", "arguments", Map.of("greeting", greeting), "inputResponses", answers,
                        "requestState", state, "_meta", Map.of(
                                "io.modelcontextprotocol/protocolVersion", "2026-07-28",
                                "io.modelcontextprotocol/clientCapabilities", Map.of("elicitation", Map.of("form", Map.of())),
                                "io.modelcontextprotocol/clientInfo", Map.of("name", "raw", "version", "1")))));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                .header("Authorization", "Bearer " + endpoint.token())
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call")
                .header("Mcp-Name", "m_ask")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = json(r.body()).path("error");
        assertThat(error.path("code").asInt()).as(r.body()).isEqualTo(-32602);
        assertThat(error.path("message").asText()).contains(message);
    }

    @Test
    void theSameUrlStillServesA2025Session() {
        var client = initialized(streamableClient(full));
        try {
            assertThat(client.listTools().tools()).extracting(io.modelcontextprotocol.spec.McpSchema.Tool::name)
                    .contains("m_echo");
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void anUnknownVersionIsAnsweredWithTheSupportedOnes() throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(full.url()))
                .header("Authorization", "Bearer " + full.token())
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .header("MCP-Protocol-Version", "2099-01-01").header("Mcp-Method", "tools/list")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = json(r.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32022);
        assertThat(error.path("data").path("supported").toString()).contains("2026-07-28");
    }
}
