package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Publishing through the admin API (create, list, show, change, disable, delete, regenerate), the credential
 * checks in front of every endpoint, and hostile requests: malformed JSON-RPC, oversized or mistyped bodies,
 * missing sessions, foreign Host/Origin, and secrets that must never reach the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class EndpointsIT extends CaravanIntegrationTest {
    private static final int MAX_BYTES = 4096;

    @DynamicPropertySource
    static void smallBodies(DynamicPropertyRegistry registry) {
        registry.add("caravan.mcp.max-request-bytes", () -> String.valueOf(MAX_BYTES));
    }

    @BeforeAll
    void routes() {
        writeRouteAndAwait("publishing.yaml", """
                - route:
                    id: ping
                    from:
                      uri: ai-tool:ping
                      parameters:
                        tags: alpha
                        description: Answers pong.
                      steps:
                        - setBody:
                            constant: pong
                - route:
                    id: leaky
                    from:
                      uri: ai-tool:leaky
                      parameters:
                        tags: alpha
                        description: Always fails inside.
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: internal detail
                - route:
                    id: whoami
                    from:
                      uri: ai-tool:whoami
                      parameters:
                        tags: gamma
                        description: Names the caller.
                      steps:
                        - setBody:
                            simple: "${header.CaravanCaller}"
                - route:
                    id: pong
                    from:
                      uri: ai-tool:pong
                      parameters:
                        tags: beta
                        description: Answers ping.
                      steps:
                        - setBody:
                            constant: ping
                """);
    }

    // ---------------------------------------------------------------- publishing lifecycle

    @Test
    void createListShowAndUseTheCredentials() {
        HttpResponse<String> created = admin("POST", "/admin/api/endpoints", "{\"name\":\"sales\",\"tools\":[\"alpha\"]}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = json(created.body());
        String token = body.get("token").asText();
        assertThat(token).startsWith("cvn_").hasSizeGreaterThan(40);
        assertThat(body.get("url").asText()).isEqualTo(baseUrl() + "/mcp/sales");
        assertThat(body.get("secretUrl").asText()).isEqualTo(baseUrl() + "/mcp/sales?key=" + token);
        assertThat(body.get("sseUrl").asText()).isEqualTo(baseUrl() + "/sse/sales");
        assertThat(names(body.get("tools"))).containsExactly("leaky", "ping");

        Published ep = new Published("sales", body.get("url").asText(), body.get("secretUrl").asText(),
                body.get("sseUrl").asText(), token);

        // The bearer token opens the endpoint on both transports.
        for (Transport t : Transport.values()) {
            try (McpSyncClient client = initialized(client(t, ep))) {
                assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder("leaky", "ping");
                assertThat(text(client.callTool(new McpSchema.CallToolRequest("ping", Map.of())))).isEqualTo("pong");
            }
        }

        // The secret URL alone (no Authorization header) opens it too.
        HttpResponse<String> init = send(HttpRequest.newBuilder(URI.create(ep.secretUrl()))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
        assertThat(init.statusCode()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> list = send(HttpRequest.newBuilder(URI.create(ep.secretUrl()))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP).header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")).build());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(message(list.body(), 2).at("/result/tools").findValuesAsText("name")).contains("ping", "leaky");
        // The dispatcher sets these itself: Spring Security's filters run for the admin API, not for MCP requests.
        assertThat(list.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(init.headers().firstValue("Cache-Control")).hasValue("no-store");
        // ...and so does an SSE stream opened with ?key=.
        HttpResponse<InputStream> sse = sendStream(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/sales?key=" + token))
                .header("Accept", "text/event-stream").GET().build());
        try {
            assertThat(sse.statusCode()).isEqualTo(200);
        } finally {
            close(sse);
        }

        // GET list and GET one show the exposed tools and never the token.
        HttpResponse<String> all = admin("GET", "/admin/api/endpoints", null);
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(all.body()).doesNotContain(token);
        JsonNode listed = null;
        for (JsonNode n : json(all.body())) {
            if (n.get("name").asText().equals("sales")) {
                listed = n;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(names(listed.get("exposedTools"))).containsExactly("leaky", "ping");
        HttpResponse<String> one = admin("GET", "/admin/api/endpoints/sales", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).doesNotContain(token).doesNotContain(token.substring(4, 20));
        assertThat(names(json(one.body()).get("exposedTools"))).containsExactly("leaky", "ping");
        assertThat(json(one.body()).get("tools")).hasSize(1);

        // A second endpoint with the same name, or a bad name or selection, is refused.
        assertThat(admin("POST", "/admin/api/endpoints", "{\"name\":\"sales\",\"tools\":[\"alpha\"]}").statusCode()).isEqualTo(409);
        assertThat(admin("POST", "/admin/api/endpoints", "{\"name\":\"Bad Name!\",\"tools\":[\"alpha\"]}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/api/endpoints", "{\"name\":\"empty\",\"tools\":[]}").statusCode()).isEqualTo(400);
        assertThat(admin("GET", "/admin/api/endpoints/nosuch", null).statusCode()).isEqualTo(404);
    }

    @Test
    void routesKnowTheCallerOnBothTransports() {
        Published ep = publish("whoami-ep", "gamma");
        for (Transport t : Transport.values()) {
            try (McpSyncClient client = initialized(client(t, ep))) {
                // On legacy SSE the message POSTs carry no credential: the caller is the one who opened the stream.
                assertThat(text(client.callTool(new McpSchema.CallToolRequest("whoami", Map.of()))))
                        .as(t.name()).isEqualTo("whoami-ep/default");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void changingTheToolsNotifiesConnectedClients(Transport transport) {
        String name = "patch-" + transport.name().toLowerCase();
        Published ep = publish(name, "alpha");
        List<List<String>> announced = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(client(transport, ep).toolsChangeConsumer(
                tools -> announced.add(tools.stream().map(McpSchema.Tool::name).sorted().toList())))) {
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder("leaky", "ping");

            HttpResponse<String> patched = admin("PATCH", "/admin/api/endpoints/" + name, "{\"tools\":[\"alpha\",\"pong\"]}");
            assertThat(patched.statusCode()).isEqualTo(200);
            assertThat(names(json(patched.body()).get("exposedTools"))).containsExactly("leaky", "ping", "pong");
            await(Duration.ofSeconds(15), "list_changed with pong", () -> !announced.isEmpty()
                    && announced.get(announced.size() - 1).equals(List.of("leaky", "ping", "pong")));
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("pong", Map.of())))).isEqualTo("ping");

            announced.clear();
            assertThat(admin("PATCH", "/admin/api/endpoints/" + name, "{\"tools\":[\"beta\"]}").statusCode()).isEqualTo(200);
            await(Duration.ofSeconds(15), "list_changed without alpha", () -> !announced.isEmpty()
                    && announced.get(announced.size() - 1).equals(List.of("pong")));
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("pong");
        }
    }

    @Test
    void disablingAndDeletingTakeTheEndpointOffline() {
        Published ep = publish("offline", "alpha");
        assertThat(send(mcpPost(ep, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);

        HttpResponse<String> disabled = admin("PATCH", "/admin/api/endpoints/offline", "{\"enabled\":false}");
        assertThat(disabled.statusCode()).isEqualTo(200);
        assertThat(json(disabled.body()).get("enabled").asBoolean()).isFalse();
        HttpResponse<String> refused = send(mcpPost(ep, null, initializeRequest(1)).build());
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(json(refused.body()).at("/error/message").asText()).contains("offline");
        assertThat(send(sseGet(ep.name(), ep.token())).statusCode()).isEqualTo(404);

        assertThat(admin("PATCH", "/admin/api/endpoints/offline", "{\"enabled\":true}").statusCode()).isEqualTo(200);
        assertThat(send(mcpPost(ep, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);

        assertThat(admin("DELETE", "/admin/api/endpoints/offline", null).statusCode()).isEqualTo(204);
        assertThat(send(mcpPost(ep, null, initializeRequest(1)).build()).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/admin/api/endpoints/offline", null).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/api/endpoints/offline", null).statusCode()).isEqualTo(404);
        // The name is free again.
        assertThat(admin("POST", "/admin/api/endpoints", "{\"name\":\"offline\",\"tools\":[\"alpha\"]}").statusCode()).isEqualTo(201);
    }

    @Test
    void regeneratingEndsTheOldSecretAtOnceOrAfterTheGrace() {
        Published ep = publish("rotate", "alpha");
        try (McpSyncClient legacy = initialized(sseClient(ep).requestTimeout(Duration.ofSeconds(5)))) {
            assertThat(text(legacy.callTool(new McpSchema.CallToolRequest("ping", Map.of())))).isEqualTo("pong");

            HttpResponse<String> regenerated = admin("POST", "/admin/api/endpoints/rotate/regenerate", null);
            assertThat(regenerated.statusCode()).isEqualTo(200);
            String second = json(regenerated.body()).get("token").asText();
            assertThat(second).isNotEqualTo(ep.token());
            assertThat(json(regenerated.body()).get("secretUrl").asText()).endsWith("?key=" + second);

            HttpResponse<String> old = send(mcpPost(ep, null, initializeRequest(1)).build());
            assertThat(old.statusCode()).isEqualTo(401);
            assertThat(old.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("Bearer").contains("invalid_token"));
            assertThat(send(mcpPost(withToken(ep, second), null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);
            // A legacy SSE session authenticated with the old secret is over as well.
            assertThatThrownBy(() -> legacy.callTool(new McpSchema.CallToolRequest("ping", Map.of())));
        }

        Published current = withToken(ep, json(admin("POST", "/admin/api/endpoints/rotate/regenerate", "{}").body()).get("token").asText());
        HttpResponse<String> graceful = admin("POST", "/admin/api/endpoints/rotate/regenerate", "{\"graceSeconds\":120}");
        assertThat(graceful.statusCode()).isEqualTo(200);
        assertThat(json(graceful.body()).get("previousValidForSeconds").asLong()).isEqualTo(120);
        Published third = withToken(ep, json(graceful.body()).get("token").asText());
        assertThat(send(mcpPost(current, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);
        assertThat(send(mcpPost(third, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);
        try (McpSyncClient c = initialized(streamableClient(current))) {
            assertThat(text(c.callTool(new McpSchema.CallToolRequest("ping", Map.of())))).isEqualTo("pong");
        }
        JsonNode credentials = json(admin("GET", "/admin/api/endpoints/rotate", null).body()).get("credentials");
        assertThat(credentials.findValuesAsText("expiresAt")).isNotEmpty();

        // Regenerating without grace ends every earlier secret, including one still in its grace period.
        String fourth = json(admin("POST", "/admin/api/endpoints/rotate/regenerate", "{\"graceSeconds\":0}").body()).get("token").asText();
        assertThat(send(mcpPost(current, null, initializeRequest(1)).build()).statusCode()).isEqualTo(401);
        assertThat(send(mcpPost(third, null, initializeRequest(1)).build()).statusCode()).isEqualTo(401);
        assertThat(send(mcpPost(withToken(ep, fourth), null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);

        // A short grace runs out by itself.
        Published fifth = withToken(ep, json(admin("POST", "/admin/api/endpoints/rotate/regenerate", "{\"graceSeconds\":1}")
                .body()).get("token").asText());
        Published fourthEp = withToken(ep, fourth);
        assertThat(send(mcpPost(fifth, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);
        await(Duration.ofSeconds(15), "the previous secret to expire",
                () -> send(mcpPost(fourthEp, null, initializeRequest(1)).build()).statusCode() == 401);
        assertThat(send(mcpPost(fifth, null, initializeRequest(1)).build()).statusCode()).isEqualTo(200);

        assertThat(admin("POST", "/admin/api/endpoints/rotate/regenerate", "{\"graceSeconds\":-1}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/api/endpoints/nosuch/regenerate", null).statusCode()).isEqualTo(404);
    }

    @Test
    void wrongOrMissingCredentialsAreRefused() {
        Published ep = publish("guarded", "alpha");
        Published other = publish("elsewhere", "beta");

        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/guarded"))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(missing.body()).at("/error/message").asText()).contains("Authorization: Bearer");

        for (Published wrong : List.of(withToken(ep, "cvn_not-the-token"), withToken(ep, other.token()))) {
            HttpResponse<String> r = send(mcpPost(wrong, null, initializeRequest(1)).build());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
        }
        HttpResponse<String> wrongKey = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/guarded?key=" + other.token()))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(wrongKey.headers().firstValue("WWW-Authenticate")).isPresent();

        HttpResponse<String> sseWithout = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/guarded"))
                .header("Accept", "text/event-stream").GET().build());
        assertThat(sseWithout.statusCode()).isEqualTo(401);
        assertThat(sseWithout.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(send(sseGet("guarded", other.token())).statusCode()).isEqualTo(401);
        HttpResponse<String> messageWithout = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/guarded/message"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INITIALIZED)).build());
        assertThat(messageWithout.statusCode()).isEqualTo(401);

        // Unknown endpoints and paths are 404, whatever the credential.
        assertThat(send(mcpPost(new Published("nosuch", null, null, null, ep.token()), null, initializeRequest(1)).build())
                .statusCode()).isEqualTo(404);
        for (String path : List.of("/mcp/", "/mcp/guarded/extra", "/sse/guarded/nothing", "/mcp")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .header("Authorization", "Bearer " + ep.token()).header("Content-Type", "application/json")
                    .header("Accept", ACCEPT_MCP).POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
            assertThat(r.statusCode()).as(path).isEqualTo(404);
        }

        // The admin API needs the admin token, and an endpoint token is not one.
        for (String auth : new String[]{null, "Bearer wrong", "Bearer " + ep.token(), "Basic YWRtaW46YWRtaW4="}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/endpoints"));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<String> r = send(b.GET().build());
            assertThat(r.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(r.body()).doesNotContain(ep.token());
        }
        HttpResponse<String> sneaky = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/endpoints"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"sneaky\",\"tools\":[\"*\"]}")).build());
        assertThat(sneaky.statusCode()).isEqualTo(401);
        assertThat(admin("GET", "/admin/api/endpoints/sneaky", null).statusCode()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- hostile input

    @Test
    void malformedJsonRpcIsRefusedWithJsonRpcErrors() {
        Published ep = publish("hostile", "alpha");
        String session = rawSession(ep);

        HttpResponse<String> notJson = send(mcpPost(ep, session, "{\"jsonrpc\": \"2.0\", \"method\": ").build());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson.body()).at("/error/code").asInt()).isEqualTo(-32700);

        for (String notRpc : List.of("[1, 2, 3]", "{\"hello\":\"world\"}", "\"text\"", "42", "null",
                "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"tools/list\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}")) {
            HttpResponse<String> r = send(mcpPost(ep, session, notRpc).build());
            assertThat(r.statusCode()).as(notRpc).isEqualTo(400);
            assertThat(json(r.body()).at("/jsonrpc").asText()).as(notRpc).isEqualTo("2.0");
            assertThat(json(r.body()).at("/error/code").asInt()).as(notRpc).isEqualTo(-32600);
        }

        HttpResponse<String> unknown = send(mcpPost(ep, session, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/explode\"}").build());
        JsonNode error = message(unknown.body(), 9);
        assertThat(error.at("/error/code").asInt()).isEqualTo(-32601);
        assertThat(error.has("result")).isFalse();

        // The session still works after all that.
        HttpResponse<String> list = send(mcpPost(ep, session, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/list\"}").build());
        assertThat(message(list.body(), 10).at("/result/tools").findValuesAsText("name")).contains("ping");
    }

    @Test
    void aClientKeepsWorkingWhenTomcatRetiresItsKeepAliveConnection() {
        // Tomcat closes a keep-alive connection after 100 requests and says so with "Connection: close"; the SDK's
        // own "Connection: keep-alive" beside it made clients reuse the closing connection and fail a request.
        Published ep = publish("keepalive", "alpha");
        String session = rawSession(ep);
        for (int i = 0; i < 250; i++) {
            HttpResponse<String> r = send(mcpPost(ep, session, "{\"jsonrpc\":\"2.0\",\"id\":" + (100 + i)
                    + ",\"method\":\"tools/list\"}").build());
            assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(r.headers().allValues("Connection")).as("request %d", i).doesNotContain("keep-alive");
        }
    }

    @Test
    void oversizedMistypedAndSessionlessRequestsAreRefused() {
        Published ep = publish("limits", "alpha");
        String session = rawSession(ep);
        String big = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"ping\",\"arguments\":{\"pad\":\""
                + "x".repeat(MAX_BYTES) + "\"}}}";

        HttpResponse<String> declared = send(mcpPost(ep, session, big).build());
        assertThat(declared.statusCode()).isEqualTo(413);
        // Without a Content-Length (chunked), the body is cut off at the limit all the same.
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = send(mcpPost(ep, session, "")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        HttpResponse<String> sseBig = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/limits/message?sessionId=x"))
                .header("Authorization", "Bearer " + ep.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)).build());
        assertThat(sseBig.statusCode()).isEqualTo(413);

        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            HttpResponse<String> r = send(mcpPost(ep, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}")
                    .setHeader("Content-Type", type).build());
            assertThat(r.statusCode()).as(type).isEqualTo(415);
        }
        HttpResponse<String> noType = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/limits"))
                .header("Authorization", "Bearer " + ep.token()).header("Accept", ACCEPT_MCP).header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}")).build());
        assertThat(noType.statusCode()).isEqualTo(415);

        HttpResponse<String> sessionless = send(mcpPost(ep, null, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}").build());
        assertThat(sessionless.statusCode()).isBetween(400, 499);
        HttpResponse<String> madeUp = send(mcpPost(ep, "no-such-session", "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\"}").build());
        assertThat(madeUp.statusCode()).isBetween(400, 499);
        HttpResponse<String> sseMadeUp = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/limits/message?sessionId=no-such"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}")).build());
        assertThat(sseMadeUp.statusCode()).isBetween(400, 499);
        // The SDK answers these by serialising its exception; the client must get a JSON-RPC error, not a stack trace.
        for (HttpResponse<String> r : List.of(sessionless, madeUp, sseMadeUp)) {
            assertThat(r.body()).doesNotContain("stackTrace").doesNotContain("java.").doesNotContain("dev.caravan");
            assertThat(json(r.body()).at("/error/message").asText()).isNotBlank();
        }
    }

    @Test
    void foreignHostsAndOriginsAreRefused() throws IOException {
        Published ep = publish("rebinding", "alpha");
        String init = initializeRequest(1);

        for (String host : List.of("evil.example.com", "evil.example.com:" + port, "localhost.evil.example.com")) {
            assertThat(rawStatus("POST", "/mcp/rebinding", host, ep.token(), init)).as(host).isEqualTo(403);
            assertThat(rawStatus("GET", "/sse/rebinding", host, ep.token(), null)).as(host).isEqualTo(403);
        }
        // The same raw request with an allowed Host goes through, so the 403 above is the Host check.
        assertThat(rawStatus("POST", "/mcp/rebinding", "localhost:" + port, ep.token(), init)).isEqualTo(200);

        for (String origin : List.of("http://evil.example.com", "https://evil.example.com:" + port, "not a url")) {
            HttpResponse<String> r = send(mcpPost(ep, null, init).header("Origin", origin).build());
            assertThat(r.statusCode()).as(origin).isEqualTo(403);
            assertThat(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/rebinding"))
                    .header("Authorization", "Bearer " + ep.token()).header("Origin", origin).GET().build()).statusCode())
                    .as(origin).isEqualTo(403);
        }
        assertThat(send(mcpPost(ep, null, init).header("Origin", "http://localhost:" + port).build()).statusCode()).isEqualTo(200);
    }

    @Test
    void secretsInUrlsAndReferersNeverReachTheLog(CapturedOutput output) {
        Published ep = publish("discreet", "alpha");
        String secret = ep.token();
        String wrong = "cvn_" + "W".repeat(43);
        String keyed = baseUrl() + "/mcp/discreet?key=" + secret;

        // Succeeding requests carrying the secret in the query string and in a Referer.
        HttpResponse<String> init = send(HttpRequest.newBuilder(URI.create(keyed))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP).header("Referer", keyed)
                .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
        assertThat(init.statusCode()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> failing = send(HttpRequest.newBuilder(URI.create(keyed))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP).header("Referer", keyed)
                .header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"leaky\",\"arguments\":{}}}")).build());
        JsonNode leaked = message(failing.body(), 2);
        assertThat(leaked.at("/result/isError").asBoolean()).isTrue();
        String ref = leaked.at("/result/content/0/text").asText().replaceAll("(?s).*\\(ref ([0-9a-f]+)\\).*", "$1");

        // Failing requests carrying it: bad JSON, bad type, oversized, unknown session, unknown endpoint,
        // legacy SSE message without a session, a wrong key, and an admin call with a Referer.
        List<HttpRequest> bad = List.of(
                HttpRequest.newBuilder(URI.create(keyed)).header("Content-Type", "application/json").header("Referer", keyed)
                        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(),
                HttpRequest.newBuilder(URI.create(keyed)).header("Content-Type", "text/plain").header("Referer", keyed)
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpRequest.newBuilder(URI.create(keyed)).header("Content-Type", "application/json").header("Referer", keyed)
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(MAX_BYTES + 10))).build(),
                HttpRequest.newBuilder(URI.create(keyed)).header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                        .header("Mcp-Session-Id", "gone-" + secret).header("Referer", keyed)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}")).build(),
                HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/missing?key=" + secret)).header("Referer", keyed)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build(),
                HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/discreet/message?key=" + secret)).header("Referer", keyed)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INITIALIZED)).build(),
                HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/discreet/message?sessionId=" + secret + "&key=" + secret))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INITIALIZED)).build(),
                HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/discreet?key=" + wrong)).header("Referer", baseUrl() + "/?key=" + wrong)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build(),
                HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/endpoints/discreet?key=" + secret)).header("Referer", keyed)
                        .GET().build());
        for (HttpRequest r : bad) {
            assertThat(send(r).statusCode()).as(r.uri().getPath()).isBetween(400, 499);
        }

        // The capture works (the internal failure was logged under its ref), and no secret is in it.
        await(Duration.ofSeconds(15), "the failure logged", () -> output.getAll().contains("[ref " + ref + "]"));
        assertThat(output.getAll()).doesNotContain(secret).doesNotContain(wrong).doesNotContain(secret.substring(4));
    }

    // ---------------------------------------------------------------- helpers

    private static Published withToken(Published ep, String token) {
        return new Published(ep.name(), ep.url(), ep.url() + "?key=" + token, ep.sseUrl(), token);
    }

    private HttpRequest sseGet(String name, String token) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/" + name)).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(5)).GET().build();
    }

    private static HttpResponse<InputStream> sendStream(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // closing a held-open stream
        }
    }

    /** One HTTP/1.1 request over a socket, so the Host header can be anything (java.net.http forbids setting it). */
    private int rawStatus(String method, String path, String host, String token, String body) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token
                    + "\r\nAccept: " + ACCEPT_MCP + "\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
                    + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            StringBuilder statusLine = new StringBuilder();
            InputStream in = socket.getInputStream();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                statusLine.append((char) c);
            }
            String[] parts = statusLine.toString().split(" ");
            return Integer.parseInt(parts[1]);
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode message(String body, int id) {
        return sseMessages(body).stream().filter(m -> m.path("id").asInt(-1) == id).findFirst()
                .orElseThrow(() -> new AssertionError("no response with id " + id + " in: " + body));
    }

    private static String text(McpSchema.CallToolResult result) {
        assertThat(result.isError()).as("isError of %s", result).isFalse();
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }
}
