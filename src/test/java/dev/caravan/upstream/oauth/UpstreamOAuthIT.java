package dev.caravan.upstream.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TypeScript SDK's OAuth-protected example server as a real upstream, strict about the RFC 8707 resource:
 * discovery (WWW-Authenticate resource_metadata → protected resource metadata → authorization server metadata),
 * dynamic client registration, PKCE S256, state, code exchange, then tools called through a Caravan endpoint. The
 * person's browser is played headlessly: the authorization URL is fetched and its redirect followed to Caravan's
 * callback. Then the faults: a replayed or unknown state, and tokens revoked by an authorization server restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamOAuthIT extends CaravanIntegrationTest {
    static OAuthDemoPeer peer;
    static RevokingProxy proxy;
    static Path connectorsDir;
    static String callbackUrl;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        peer = new OAuthDemoPeer(OAuthDemoPeer.freePort(), OAuthDemoPeer.freePort(), true).start();
        proxy = new RevokingProxy("http://localhost:" + peer.mcpPort);
        connectorsDir = Files.createTempDirectory("caravan-oauth-connectors");
        Files.writeString(connectorsDir.resolve("upstreams.yaml"), """
                upstreams:
                  - name: demo
                    transport: streamable-http
                    url: %s
                    timeouts: {connect: 10s, call: 10s}
                    auth: {type: oauth}
                  - name: revocable
                    transport: streamable-http
                    url: %s
                    timeouts: {connect: 10s, call: 10s}
                    # the proxy passes on the demo server's own resource metadata, which names the server's URL
                    auth: {type: oauth, check_resource: false}
                  - name: proxied
                    transport: streamable-http
                    url: %s
                    timeouts: {connect: 10s, call: 10s}
                    auth: {type: oauth}
                """.formatted(peer.url(), proxy.url("/mcp"), proxy.url("/mcp")));
        registry.add("caravan.connectors-dir", connectorsDir::toString);
        registry.add("caravan.upstream.health-interval", () -> "1s");
        registry.add("caravan.upstream.backoff-initial", () -> "200ms");
        registry.add("caravan.upstream.backoff-max", () -> "1s");
    }

    @AfterAll
    static void stopPeer() {
        proxy.close();
        peer.close();
    }

    JsonNode upstream() {
        return upstream("demo");
    }

    JsonNode upstream(String name) {
        return json(admin("GET", "/admin/api/upstreams/" + name, null).body());
    }

    void awaitState(String state) {
        awaitState("demo", state);
    }

    void awaitState(String name, String state) {
        await(Duration.ofSeconds(30), name + " " + state, () -> state.equals(upstream(name).path("state").asText()));
    }

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Starts a flow through the admin API and returns the authorization URL. */
    String authorize() {
        return authorize("demo");
    }

    String authorize(String name) {
        HttpResponse<String> r = admin("POST", "/admin/api/upstreams/" + name + "/authorize", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body()).path("authorizationUrl").asText();
    }

    /** Plays the person's browser: the authorization server grants at once and redirects to Caravan. */
    static String followToCallback(String authorizationUrl) {
        HttpResponse<String> grant = get(authorizationUrl); // java.net.http does not follow redirects by default
        assertThat(grant.statusCode()).as(grant.body()).isEqualTo(302);
        followToCallbackUrlCache = grant.headers().firstValue("Location").orElseThrow();
        return followToCallbackUrlCache;
    }

    static String followToCallbackUrlCache;

    @Test
    @Order(1)
    void discoversRegistersAuthorizesWithPkceAndCallsTools() throws Exception {
        awaitState("needs-authorization");
        assertThat(upstream().path("lastError").asText()).contains("/admin/api/upstreams/demo/authorize");
        assertThat(upstream().path("authorizationUrl").isNull()).isTrue();
        assertThat(upstream().path("tokenExpiresAt").isNull()).as("no token yet").isTrue();

        String url = authorize();
        Map<String, String> params = query(url);
        assertThat(url).startsWith("http://localhost:" + peer.authPort + "/authorize?");
        assertThat(params).containsEntry("response_type", "code").containsEntry("code_challenge_method", "S256")
                .containsEntry("resource", peer.url()).containsEntry("redirect_uri", baseUrl() + "/oauth/callback")
                .containsEntry("scope", "mcp:tools").containsKeys("client_id", "state", "code_challenge");
        assertThat(params.get("state")).hasSizeGreaterThanOrEqualTo(43);
        await(Duration.ofSeconds(10), "the URL in the status",
                () -> url.equals(upstream().path("authorizationUrl").asText()));
        assertThat(upstream().path("state").asText()).isEqualTo("needs-authorization");

        callbackUrl = followToCallback(url);
        assertThat(callbackUrl).startsWith(baseUrl() + "/oauth/callback?");
        HttpResponse<String> page = get(callbackUrl);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("Caravan is authorized").contains("demo");
        assertThat(page.headers().firstValue("Cache-Control").orElse("")).contains("no-store");

        awaitState("online");
        assertThat(upstream().path("tools").toString()).contains("demo__greet");
        assertThat(upstream().path("authorizationUrl").isNull()).isTrue();
        // The token's expiry from the stored grant (the demo server's tokens last an hour, with no refresh token),
        // never the token
        JsonNode online = upstream();
        java.time.Instant expires = java.time.Instant.parse(online.path("tokenExpiresAt").asText());
        assertThat(expires).isBetween(java.time.Instant.now().plusSeconds(3000), java.time.Instant.now().plusSeconds(3601));
        assertThat(online.path("tokenRenewable").asBoolean()).isFalse();
        assertThat(online.toString()).doesNotContain("accessToken", "refreshToken", "Bearer");

        Published ep = publish("oauthed", "demo");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/oauthed", null).body().contains("demo__greet"));
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("demo__greet",
                    Map.of("name", "Caravan")));
            assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("Hello, Caravan!");
        }

        // At rest the grant is sealed: no JSON, no client id, no token in the database.
        String sealed = jdbc.queryForObject("select sealed from upstream_token where upstream = 'demo'", String.class);
        assertThat(sealed).startsWith("v1:").doesNotContain("accessToken").doesNotContain(params.get("client_id"));
        assertThat(Files.exists(dataDir.resolve("secret.key"))).isTrue();
        if (Files.getFileStore(dataDir).supportsFileAttributeView("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dataDir.resolve("secret.key")))).isEqualTo("rw-------");
        }
    }

    @Test
    @Order(2)
    void aStateWorksOnceAndUnknownStatesAreRefusedWithoutSecrets() {
        HttpResponse<String> replay = get(callbackUrl);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("already used").doesNotContain(query(callbackUrl).get("code"));

        HttpResponse<String> unknown = get(baseUrl() + "/oauth/callback?code=stolen-code-123&state=made-up");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Unknown or expired").doesNotContain("stolen-code-123")
                .doesNotContain("Exception").doesNotContain("at dev.caravan");
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");

        HttpResponse<String> none = get(baseUrl() + "/oauth/callback");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("no state");

        HttpResponse<String> script = get(baseUrl() + "/oauth/callback?state=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        assertThat(script.body()).doesNotContain("<script>");
        assertThat(upstream().path("state").asText()).isEqualTo("online");

        // An authorization server's refusal reaches the page and the status, and uses the state up.
        String url = authorize();
        String state = query(url).get("state");
        HttpResponse<String> denied = get(baseUrl() + "/oauth/callback?error=access_denied&error_description="
                + "The+user+said+no&state=" + state);
        assertThat(denied.statusCode()).isEqualTo(400);
        assertThat(denied.body()).contains("access_denied").contains("The user said no");
        assertThat(get(baseUrl() + "/oauth/callback?code=x&state=" + state).body()).contains("already used");
    }

    @Test
    @Order(3)
    void revokedTokensMoveTheUpstreamToNeedsAuthorizationWithAClearMessage() {
        awaitState("revocable", "needs-authorization");
        assertThat(get(followToCallback(authorize("revocable"))).statusCode()).isEqualTo(200);
        awaitState("revocable", "online");
        assertThat(upstream("revocable").path("tools").toString()).contains("revocable__greet");

        proxy.revoke(true); // the demo server issues no refresh tokens: a 401 cannot be recovered from
        awaitState("revocable", "needs-authorization");
        JsonNode status = upstream("revocable");
        assertThat(status.path("lastError").asText()).contains("revoked or expired")
                .contains("/admin/api/upstreams/revocable/authorize");
        assertThat(status.path("toolCount").asInt()).isZero();
        assertThat(status.path("tokenExpiresAt").isNull()).as("a lost token has no expiry").isTrue();
        assertThat(admin("GET", "/admin/api/upstreams", null).body()).doesNotContain("Bearer ");
        assertThat(upstream().path("state").asText()).isEqualTo("online");

        // Authorizing again (the client registration is kept) brings it back.
        proxy.revoke(false);
        String again = authorize("revocable");
        assertThat(get(followToCallback(again)).statusCode()).isEqualTo(200);
        awaitState("revocable", "online");
    }

    @Test
    @Order(4)
    void aPreRegisteredClientIsUsedAsConfiguredAndTheResourceSwitchOmitsTheIndicator() throws Exception {
        // The administrator registered Caravan at the authorization server by hand (a "custom OAuth app").
        HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create("http://localhost:" + peer.authPort
                        + "/register")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("client_name", "by hand")
                        .put("token_endpoint_auth_method", "client_secret_post")
                        .set("redirect_uris", JSON.createArrayNode().add(baseUrl() + "/oauth/callback")).toString()))
                .build());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String clientId = json(registered.body()).path("client_id").asText();
        System.setProperty("CARAVAN_IT_PRESET_SECRET", json(registered.body()).path("client_secret").asText());
        Files.writeString(connectorsDir.resolve("upstreams.yaml"), Files.readString(connectorsDir
                .resolve("upstreams.yaml")) + """
                  - name: preset
                    transport: streamable-http
                    url: %s
                    auth: {type: oauth, client_id: %s, client_secret: "${CARAVAN_IT_PRESET_SECRET}"}
                  - name: noresource
                    transport: streamable-http
                    url: %s
                    auth: {type: oauth, resource: false}
                """.formatted(peer.url(), clientId, peer.url()));
        awaitState("preset", "needs-authorization");
        String url = authorize("preset");
        assertThat(query(url)).containsEntry("client_id", clientId).containsEntry("resource", peer.url());
        HttpResponse<String> page = get(followToCallback(url));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        awaitState("preset", "online");
        assertThat(jdbc.queryForObject("select sealed from upstream_token where upstream = 'preset'", String.class))
                .doesNotContain(System.getProperty("CARAVAN_IT_PRESET_SECRET"));

        // Without the indicator this strict server refuses the code: a clear failure, nothing secret.
        awaitState("noresource", "needs-authorization");
        String bare = authorize("noresource");
        assertThat(query(bare)).doesNotContainKey("resource").containsKey("code_challenge");
        HttpResponse<String> refused = get(followToCallback(bare));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("exchanging the authorization code failed")
                .doesNotContain(query(followToCallbackUrlCache).getOrDefault("code", "-"));
        assertThat(upstream("noresource").path("state").asText()).isEqualTo("needs-authorization");
        assertThat(upstream("noresource").path("lastError").asText()).contains("OAuth authorization failed");
    }

    @Test
    @Order(5)
    void resourceMetadataForAnotherUrlIsRefusedWithAClearStatus() {
        // Reached through the proxy, the demo server's metadata names the server's own URL, not the one declared.
        HttpResponse<String> r = admin("POST", "/admin/api/upstreams/proxied/authorize", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
        assertThat(json(r.body()).path("detail").asText()).contains("RFC 9728").contains(peer.url())
                .contains("check_resource: false");
        JsonNode status = upstream("proxied");
        assertThat(status.path("state").asText()).isEqualTo("needs-authorization");
        assertThat(status.path("lastError").asText()).startsWith("OAuth discovery failed: ")
                .contains("is for the resource '" + peer.url() + "'");
        assertThat(status.path("authorizationUrl").isNull()).isTrue();
    }

    @Test
    @Order(6)
    void adminApiRefusesUnknownOrNonOAuthUpstreamsAndNeedsTheAdminToken() {
        assertThat(admin("POST", "/admin/api/upstreams/nope/authorize", null).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/upstreams/demo/authorize"))
                .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(401);
    }
}
