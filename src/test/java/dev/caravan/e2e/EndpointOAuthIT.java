package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.support.OidcIssuer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An endpoint as an OAuth 2.1 protected resource, against a real authorization server on loopback (oidc-provider):
 * RFC 9728 metadata and challenges, tokens refused for every way they can be wrong, scopes mapped to workspace
 * operations, and a good token listing and calling tools in both eras and on legacy SSE, with its subject in the audit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointOAuthIT extends CaravanIntegrationTest {
    private static final String POLICY = """
            {"issuer":"ISSUER","requiredScopes":["mcp:read"],
             "scopeOperations":{"mcp:read":["read"],"mcp:write":["read","write"]}}""";
    private OidcIssuer idp;
    private OidcIssuer otherIdp;
    private Published keyed;

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    dev.caravan.workspace.audit.AuditTrail audit;

    /** Issues opaque tokens, which the declared endpoint "ops" checks by introspection. */
    private static OidcIssuer opaqueIdp;

    @DynamicPropertySource
    static void exactClock(DynamicPropertyRegistry registry) {
        // The expired-token case uses a one-second token: no skew, so it is refused one second later.
        registry.add("caravan.mcp.oauth.clock-skew", () -> "0s");
        // A declared endpoint opened by access tokens only (no token-env), checked by RFC 7662 introspection.
        opaqueIdp = OidcIssuer.start(true);
        registry.add("caravan.endpoints.ops.tools", () -> "oauth");
        registry.add("caravan.endpoints.ops.oauth.issuer", opaqueIdp::issuer);
        registry.add("caravan.endpoints.ops.oauth.introspection-uri", () -> opaqueIdp.issuer() + "/token/introspection");
        registry.add("caravan.endpoints.ops.oauth.client-id", () -> "caravan");
        registry.add("caravan.endpoints.ops.oauth.client-secret-env", () -> "OPS_INTROSPECTION_SECRET");
        registry.add("caravan.endpoints.ops.oauth.scope-operations[mcp:read]", () -> "read");
        registry.add("OPS_INTROSPECTION_SECRET", () -> "caravan-secret");
    }

    @BeforeAll
    void start() {
        idp = OidcIssuer.start(false);
        otherIdp = OidcIssuer.start(false);
        writeRouteAndAwait("oauth.yaml", """
                - route:
                    id: o-whoami
                    from:
                      uri: ai-tool:o_whoami
                      parameters:
                        tags: oauth
                        description: Says who is calling.
                      steps:
                        - setBody:
                            simple: "you are ${header.CaravanCaller}"
                - route:
                    id: o-write
                    from:
                      uri: ai-tool:o_write
                      parameters:
                        tags: oauth,workspace-write
                        description: Writes a file into the default workspace.
                        parameter.workspace: string
                        parameter.path: string
                        parameter.path.required: true
                        parameter.content: string
                        parameter.content.required: true
                      steps:
                        - to: workspace:default?operation=write_file&workspaceHeader=workspace
                """);
        keyed = publish("idp", "oauth");
        publish("plain", "oauth");
        publish("idp2", "oauth");
        HttpResponse<String> put = admin("PUT", "/admin/api/endpoints/idp/oauth", POLICY.replace("ISSUER", idp.issuer()));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        // idp2 trusts another issuer name but idp's keys: a token of idp is genuine there, from the wrong issuer.
        put = admin("PUT", "/admin/api/endpoints/idp2/oauth", "{\"issuer\":\"" + otherIdp.issuer() + "\",\"jwksUri\":\""
                + idp.issuer() + "/jwks\"}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        idp.close();
        otherIdp.close();
        opaqueIdp.close();
    }

    @Test
    void aDeclaredEndpointChecksOpaqueTokensByIntrospection() {
        String token = opaqueIdp.token("reader", "mcp:read", resource("ops"));
        assertThat(token).doesNotContain(".");
        try (McpSyncClient client = initialized(streamable("ops", token))) {
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("o_whoami")
                    .doesNotContain("o_write");
            assertThat(text(client.callTool(McpSchema.CallToolRequest.builder().name("o_whoami").build())))
                    .isEqualTo("you are ops/reader@127.0.0.1:" + opaqueIdp.port);
        }
        // Inactive (made up), and genuine but for another resource.
        HttpResponse<String> r = initialize("ops", "Bearer made-up-token", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).contains("error=\"invalid_token\"")
                .contains(baseUrl() + "/.well-known/oauth-protected-resource/mcp/ops");
        r = initialize("ops", "Bearer " + opaqueIdp.token("reader", "mcp:read", resource("idp")), null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("audience");
        // Declared in configuration: the admin API cannot change it.
        assertThat(admin("PUT", "/admin/api/endpoints/ops/oauth", POLICY.replace("ISSUER", idp.issuer())).statusCode())
                .isEqualTo(409);
        JsonNode m = json(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/.well-known/oauth-protected-resource/mcp/ops"))
                .GET().build()).body());
        assertThat(m.path("authorization_servers").get(0).asText()).isEqualTo(opaqueIdp.issuer());
    }

    private String resource(String endpoint) {
        return "http://localhost:" + port + "/mcp/" + endpoint;
    }

    private String writerToken() {
        return idp.token("writer", "mcp:read mcp:write", resource("idp"));
    }

    private HttpResponse<String> initialize(String endpoint, String authorization, String query) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/" + endpoint + (query == null ? "" : query)))
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1)));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    private static String challenge(HttpResponse<String> r) {
        return r.headers().firstValue("WWW-Authenticate").orElse("");
    }

    // ---- hostile first

    @Test
    void noTokenIsAnsweredWithTheMetadataUrlAndTheMetadataNamesTheIssuer() {
        HttpResponse<String> r = initialize("idp", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        String metadataUrl = baseUrl() + "/.well-known/oauth-protected-resource/mcp/idp";
        assertThat(challenge(r)).startsWith("Bearer resource_metadata=\"" + metadataUrl + "\"")
                .contains("scope=\"mcp:read\"").doesNotContain("error=");
        assertThat(json(r.body()).path("error").path("message").asText()).contains(idp.issuer());

        HttpResponse<String> metadata = send(HttpRequest.newBuilder(URI.create(metadataUrl))
                .header("Origin", "http://localhost:6274").GET().build());
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        JsonNode m = json(metadata.body());
        assertThat(m.path("resource").asText()).isEqualTo(resource("idp"));
        assertThat(m.path("authorization_servers")).extracting(JsonNode::asText).containsExactly(idp.issuer());
        assertThat(m.path("bearer_methods_supported")).extracting(JsonNode::asText).containsExactly("header");
        assertThat(m.path("scopes_supported")).extracting(JsonNode::asText).containsExactly("mcp:read", "mcp:write");
        // The legacy transport's own resource, and its challenge pointing there.
        assertThat(json(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/.well-known/oauth-protected-resource/sse/idp"))
                .GET().build()).body()).path("resource").asText()).isEqualTo(baseUrl() + "/sse/idp");
        HttpResponse<String> sse = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/idp"))
                .header("Accept", "text/event-stream").GET().build());
        assertThat(sse.statusCode()).isEqualTo(401);
        assertThat(challenge(sse)).contains("/.well-known/oauth-protected-resource/sse/idp");
    }

    @Test
    void theRootMetadataSendsClientsToTheEndpointsOwnWhenSeveralTakeTokens() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/.well-known/oauth-protected-resource"))
                .GET().build());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("/.well-known/oauth-protected-resource/mcp/NAME");
    }

    @Test
    void anEndpointWithoutAPolicyStillSaysItTakesAKey() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl()
                + "/.well-known/oauth-protected-resource/mcp/plain")).GET().build());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("does not use OAuth");
        for (String path : List.of("/mcp/no-such-endpoint", "/mcp/idp/extra", "/other/idp", "/mcp/" + "x".repeat(3000))) {
            HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(baseUrl()
                    + "/.well-known/oauth-protected-resource" + path)).GET().build());
            assertThat(unknown.statusCode()).as(path).isIn(400, 404);
            assertThat(unknown.body()).doesNotContain("authorization_servers");
        }
        HttpResponse<String> challenge = initialize("plain", null, null);
        assertThat(challenge(challenge)).startsWith("Bearer realm=\"caravan\"").doesNotContain("resource_metadata");
    }

    @Test
    void aTokenForAnotherResourceIsRefused() {
        String token = idp.token("writer", "mcp:read mcp:write", resource("plain"));
        HttpResponse<String> r = initialize("idp", "Bearer " + token, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).contains("error=\"invalid_token\"").contains("resource_metadata=");
        assertThat(json(r.body()).path("error").path("message").asText()).contains("audience")
                .contains(resource("idp"));
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String token = idp.token("brief", "mcp:read mcp:write", resource("idp"));
        long exp = json(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                .path("exp").asLong();
        long wait = Instant.ofEpochSecond(exp).plusMillis(1100).toEpochMilli() - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        HttpResponse<String> r = initialize("idp", "Bearer " + token, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).contains("error=\"invalid_token\"");
        assertThat(json(r.body()).path("error").path("message").asText()).contains("expired");
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() {
        // Signed by another provider's key: not a token of this endpoint's issuer at all.
        String foreign = otherIdp.token("writer", "mcp:read mcp:write", resource("idp"));
        HttpResponse<String> r = initialize("idp", "Bearer " + foreign, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).contains("error=\"invalid_token\"");
        // Signed with keys the endpoint trusts, but naming another issuer than the one it trusts.
        String misnamed = idp.token("writer", "mcp:read mcp:write", resource("idp2"));
        r = initialize("idp2", "Bearer " + misnamed, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r.body()).path("error").path("message").asText()).contains("another issuer")
                .contains(otherIdp.issuer());
    }

    @Test
    void aTokenWithABadSignatureOrShapeIsRefused() {
        String token = writerToken();
        String[] parts = token.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[10] ^= 0x01;
        String tampered = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        // The payload changed (a wider audience) under the original signature.
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("mcp:read mcp:write", "mcp:read mcp:write admin");
        String rewritten = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + parts[1] + ".";
        for (String bad : List.of(tampered, rewritten, unsigned, "not-a-jwt", "a.b.c", "x".repeat(7_000))) {
            HttpResponse<String> r = initialize("idp", "Bearer " + bad, null);
            assertThat(r.statusCode()).as(bad.substring(0, Math.min(bad.length(), 30))).isEqualTo(401);
            assertThat(challenge(r)).contains("error=\"invalid_token\"");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("at org.");
        }
    }

    @Test
    void aTokenInTheQueryStringIsRefusedEvenWhenValid() {
        HttpResponse<String> r = initialize("idp", null, "?key=" + URLEncoder.encode(writerToken(), StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).contains("error=\"invalid_request\"");
        assertThat(json(r.body()).path("error").path("message").asText()).contains("query string");
    }

    @Test
    void aTokenWithoutTheRequiredScopeIsInsufficient() {
        String token = idp.token("outsider", "other", resource("idp"));
        HttpResponse<String> r = initialize("idp", "Bearer " + token, null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(challenge(r)).contains("error=\"insufficient_scope\"").contains("scope=\"mcp:read\"");
    }

    @Test
    void aReadOnlyTokenSeesNoWriteToolAndCannotWriteInEitherEra() {
        String token = idp.token("reader", "mcp:read", resource("idp"));
        try (McpSyncClient client = initialized(streamable("idp", token))) {
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("o_whoami")
                    .doesNotContain("o_write");
            assertThatThrownBy(() -> client.callTool(McpSchema.CallToolRequest.builder().name("o_write")
                    .arguments(Map.of("path", "r.txt", "content", "x")).build())).hasMessageContaining("o_write");
        }
        var modern = modern("idp", token);
        assertThat(modern.tools().list().tools()).extracting(io.modelcontextprotocol.modern.McpSchema.Tool::name)
                .contains("o_whoami").doesNotContain("o_write");
        assertThatThrownBy(() -> modern.tool("o_write").arguments(Map.of("path", "r.txt", "content", "x")).call())
                .hasMessageContaining("o_write");
        assertThat(dataDir.resolve("workspaces/default/r.txt")).doesNotExist();
    }

    @Test
    void anotherUsersTokenCannotRideASession() {
        HttpResponse<String> init = initialize("idp", "Bearer " + writerToken(), null);
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        String reader = idp.token("reader", "mcp:read", resource("idp"));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/idp"))
                .header("Authorization", "Bearer " + reader).header("Mcp-Session-Id", session)
                .header("Content-Type", "application/json").header("Accept", ACCEPT_MCP)
                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZED)).build());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("another user");
        // Nor a key holder (the endpoint's own key) a user's.
        r = send(mcpPost(keyed, session, INITIALIZED).build());
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void anotherUsersTokenCannotPostToALegacySseSession() throws Exception {
        String writer = idp.token("writer", "mcp:read mcp:write", baseUrl() + "/sse/idp");
        HttpResponse<java.io.InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/idp"))
                .header("Authorization", "Bearer " + writer).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                StandardCharsets.UTF_8))) {
            String messages = null;
            for (String line = lines.readLine(); line != null && messages == null; line = lines.readLine()) {
                if (line.startsWith("data:") && line.contains("sessionId=")) {
                    messages = line.substring(5).trim();
                }
            }
            assertThat(messages).isNotNull();
            String reader = idp.token("reader", "mcp:read", baseUrl() + "/sse/idp");
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + messages))
                    .header("Authorization", "Bearer " + reader).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("another user");
            // Its opener, with its own token again, is let through to the session.
            r = send(HttpRequest.newBuilder(URI.create(baseUrl() + messages))
                    .header("Authorization", "Bearer " + writer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void theAdminApiRefusesABadPolicyAndAnUnknownEndpoint() {
        for (String bad : List.of("{}", "{\"issuer\":\"http://idp.example.com\"}", "{\"issuer\":\"ftp://x\"}",
                "{\"issuer\":\"" + idp.issuer() + "\",\"requiredScopes\":[\"a b\"]}",
                "{\"issuer\":\"" + idp.issuer() + "\",\"scopeOperations\":{\"mcp\":[\"delete-everything\"]}}",
                "{\"issuer\":\"" + idp.issuer() + "\",\"introspectionUri\":\"" + idp.issuer() + "/token/introspection\"}")) {
            HttpResponse<String> r = admin("PUT", "/admin/api/endpoints/plain/oauth", bad);
            assertThat(r.statusCode()).as(bad + " -> " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        }
        assertThat(admin("GET", "/admin/api/endpoints/plain/oauth", null).statusCode()).isEqualTo(404);
        assertThat(admin("PUT", "/admin/api/endpoints/nope/oauth", POLICY.replace("ISSUER", idp.issuer())).statusCode())
                .isEqualTo(404);
        assertThat(json(admin("GET", "/admin/api/endpoints/idp/oauth", null).body()).path("issuer").asText())
                .isEqualTo(idp.issuer());
    }

    // ---- then what works

    @Test
    void aGoodTokenListsAndCallsToolsInBothErasAndTheAuditNamesItsSubject() {
        String token = writerToken();
        String principal = "idp/writer@127.0.0.1:" + idp.port;
        try (McpSyncClient client = initialized(streamable("idp", token))) {
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("o_whoami", "o_write");
            assertThat(text(client.callTool(McpSchema.CallToolRequest.builder().name("o_whoami").build())))
                    .isEqualTo("you are " + principal);
            McpSchema.CallToolResult wrote = client.callTool(McpSchema.CallToolRequest.builder().name("o_write")
                    .arguments(Map.of("path", "oauth/streamable.txt", "content", "by token")).build());
            assertThat(wrote.isError()).as(text(wrote)).isNotEqualTo(Boolean.TRUE);
        }
        var modern = modern("idp", token);
        assertThat(((io.modelcontextprotocol.modern.McpSchema.TextContent) modern.tool("o_whoami").call().content()
                .get(0)).text()).isEqualTo("you are " + principal);
        var wrote = modern.tool("o_write").arguments(Map.of("path", "oauth/modern.txt", "content", "by token")).call();
        assertThat(wrote.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(dataDir.resolve("workspaces/default/oauth/streamable.txt")).hasContent("by token");
        assertThat(dataDir.resolve("workspaces/default/oauth/modern.txt")).hasContent("by token");
        assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(jdbc.queryForList("select path from workspace_audit where principal = ? and operation = 'write_file'",
                String.class, principal)).contains("oauth/streamable.txt", "oauth/modern.txt");
    }

    @Test
    void aGoodTokenWorksOnLegacySse() {
        String token = idp.token("writer", "mcp:read mcp:write", baseUrl() + "/sse/idp");
        try (McpSyncClient client = McpClient.sync(HttpClientSseClientTransport.builder(baseUrl()).sseEndpoint("/sse/idp")
                        .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + token))
                        .build()).requestTimeout(Duration.ofSeconds(30)).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("o_write");
            assertThat(text(client.callTool(McpSchema.CallToolRequest.builder().name("o_whoami").build())))
                    .isEqualTo("you are idp/writer@127.0.0.1:" + idp.port);
        }
    }

    @Test
    void aLegacySseStreamEndsWhenItsTokenExpires() throws Exception {
        String token = idp.token("short", "mcp:read mcp:write", baseUrl() + "/sse/idp");
        long exp = json(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                .path("exp").asLong();
        HttpResponse<java.io.InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/idp"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        java.util.concurrent.CompletableFuture<String> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.io.InputStream in = stream.body()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "failed: " + e;
            }
        });
        String events = read.get(30, java.util.concurrent.TimeUnit.SECONDS);
        // It was open (the session was announced) and ended only once the token had.
        assertThat(events).contains("sessionId=");
        assertThat(Instant.now()).isAfter(Instant.ofEpochSecond(exp));
        String messages = events.lines().filter(l -> l.startsWith("data:") && l.contains("sessionId="))
                .findFirst().orElseThrow().substring(5).trim();
        HttpResponse<String> late = send(HttpRequest.newBuilder(URI.create(baseUrl() + messages))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1)))
                .build());
        assertThat(late.statusCode()).isIn(401, 404);
    }

    @Test
    void theEndpointsKeyStillOpensIt() {
        try (McpSyncClient client = initialized(streamableClient(keyed))) {
            assertThat(text(client.callTool(McpSchema.CallToolRequest.builder().name("o_whoami").build())))
                    .isEqualTo("you are idp/default");
        }
    }

    @Test
    void theTypeScriptSdksOwnOAuthFlowDiscoversTheMetadataAndGetsIn() throws Exception {
        java.nio.file.Path peers = java.nio.file.Path.of("test-peers").toAbsolutePath();
        Process p = new ProcessBuilder(List.of(peers.resolve("node_modules/node/bin/node").toString(),
                peers.resolve("clients/oauth-client.mjs").toString(), resource("idp"), "writer", "writer-secret",
                "mcp:read mcp:write", "o_whoami")).directory(peers.toFile()).start();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the TypeScript client did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; stderr: %s", err).isZero();
        System.out.println("TypeScript OAuth client: " + out);
        JsonNode r = json(out.trim());
        assertThat(r.path("fetched")).extracting(JsonNode::asText)
                .contains("GET " + baseUrl() + "/.well-known/oauth-protected-resource/mcp/idp")
                .anyMatch(u -> u.startsWith("POST " + idp.issuer() + "/token"));
        assertThat(r.path("scope").asText()).isEqualTo("mcp:read mcp:write");
        assertThat(r.path("tools")).extracting(JsonNode::asText).contains("o_whoami", "o_write");
        assertThat(r.at("/result/content/0/text").asText()).isEqualTo("you are idp/writer@127.0.0.1:" + idp.port);
    }

    private McpClient.SyncSpec streamable(String endpoint, String token) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder(baseUrl()).endpoint("/mcp/" + endpoint)
                        .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + token))
                        .build())
                .requestTimeout(Duration.ofSeconds(30));
    }

    private io.modelcontextprotocol.modern.client.McpSyncClient modern(String endpoint, String token) {
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(URI.create(resource(endpoint)))
                .requestCustomizer(McpHttpRequestCustomizer.fromSync((request, headers, context) ->
                        headers.set("Authorization", "Bearer " + token)))
                .build();
        return io.modelcontextprotocol.modern.client.McpClient.sync(transport)
                .clientInfo(io.modelcontextprotocol.modern.McpSchema.Implementation.builder("oauth-it", "1").build()).build();
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }
}
