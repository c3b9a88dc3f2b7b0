package dev.caravan.upstream.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Discovery paths the SDK example does not take: no WWW-Authenticate (path-aware well-known protected resource
 * metadata), an issuer with a path whose metadata is only at the OpenID path-appended location, RFC 7591
 * registration with a confidential client, a challenge's resource_metadata and scope, and an AS without S256.
 */
class OAuthDiscoveryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    HttpServer server;
    final Map<String, String[]> routes = new ConcurrentHashMap<>(); // "METHOD path" -> {status, body, wwwAuthenticate}
    final List<String> seen = new CopyOnWriteArrayList<>();
    volatile String registrationBody;
    OAuthDiscovery discovery = new OAuthDiscovery(HttpClient.newHttpClient(), Duration.ofSeconds(5));

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
            seen.add(key);
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (key.endsWith("/register")) {
                registrationBody = body;
            }
            String[] r = routes.getOrDefault(key, new String[] {"404", "{}", null});
            if (r[2] != null) {
                ex.getResponseHeaders().add("WWW-Authenticate", r[2]);
            }
            byte[] bytes = r[1].replace("BASE", base()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(Integer.parseInt(r[0]), bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    OAuthOptions options(String scope) {
        return new OAuthOptions(base() + "/tenant/mcp", false, null, null, scope, true, null, null, null, true);
    }

    static final String AS = """
            {"issuer":"BASE/realms/x","authorization_endpoint":"BASE/realms/x/auth","token_endpoint":"BASE/realms/x/token",
             "registration_endpoint":"BASE/realms/x/register","token_endpoint_auth_methods_supported":["client_secret_basic"],
             "code_challenge_methods_supported":["S256"]}""";

    /** The same server's root document, for resource metadata naming the issuer {@code BASE/}. */
    static final String ROOT_AS = AS.replace("\"issuer\":\"BASE/realms/x\"", "\"issuer\":\"BASE/\"");

    @Test
    void pathAwareResourceMetadataThenOpenIdPathAppendedThenRegistration() throws Exception {
        routes.put("POST /tenant/mcp", new String[] {"401", "{}", null});
        routes.put("GET /.well-known/oauth-protected-resource/tenant/mcp", new String[] {"200",
                "{\"resource\":\"BASE/tenant/mcp\",\"authorization_servers\":[\"BASE/realms/x\"],"
                        + "\"scopes_supported\":[\"a\",\"b\"]}", null});
        routes.put("GET /realms/x/.well-known/openid-configuration", new String[] {"200", AS, null});
        routes.put("POST /realms/x/register", new String[] {"201", "{\"client_id\":\"dyn\",\"client_secret\":\"sec\","
                + "\"token_endpoint_auth_method\":\"client_secret_basic\"}", null});

        OAuthDiscovery.Result found = discovery.discover(options(null));
        assertThat(found.issuer()).isEqualTo(base() + "/realms/x");
        assertThat(found.authorizationEndpoint()).isEqualTo(base() + "/realms/x/auth");
        assertThat(found.tokenEndpoint()).isEqualTo(base() + "/realms/x/token");
        assertThat(found.resource()).isEqualTo(base() + "/tenant/mcp");
        assertThat(found.scope()).isEqualTo("a b");
        assertThat(seen).containsSubsequence("POST /tenant/mcp", "GET /.well-known/oauth-protected-resource/tenant/mcp",
                "GET /.well-known/oauth-authorization-server/realms/x", "GET /.well-known/openid-configuration/realms/x",
                "GET /realms/x/.well-known/openid-configuration");
        assertThat(seen).doesNotContain("GET /.well-known/oauth-authorization-server",
                "GET /.well-known/openid-configuration");

        StoredGrant client = discovery.register(found, "https://caravan.example.com/oauth/callback");
        assertThat(client.clientId()).isEqualTo("dyn");
        assertThat(client.clientSecret()).isEqualTo("sec");
        assertThat(client.authMethod()).isEqualTo("client_secret_basic");
        assertThat(client.registered()).isTrue();
        JsonNode sent = JSON.readTree(registrationBody);
        assertThat(sent.path("redirect_uris").get(0).asText()).isEqualTo("https://caravan.example.com/oauth/callback");
        assertThat(sent.path("token_endpoint_auth_method").asText()).isEqualTo("client_secret_basic");
        assertThat(sent.path("grant_types").toString()).contains("authorization_code").contains("refresh_token");
    }

    @Test
    void theChallengeNamesTheMetadataAndTheScope() {
        routes.put("POST /tenant/mcp", new String[] {"401", "{}",
                "Bearer error=\"invalid_token\", resource_metadata=\"BASE/custom-prm\", scope=\"x y\""
                        .replace("BASE", base())});
        routes.put("GET /custom-prm", new String[] {"200", "{\"resource\":\"BASE/tenant/mcp\","
                + "\"authorization_servers\":[\"BASE/\"]}", null});
        routes.put("GET /.well-known/oauth-authorization-server", new String[] {"200", ROOT_AS, null});
        OAuthDiscovery.Result found = discovery.discover(options(null));
        assertThat(found.scope()).isEqualTo("x y");
        assertThat(seen).contains("GET /custom-prm").doesNotContain("GET /.well-known/oauth-protected-resource/tenant/mcp");
        assertThat(discovery.discover(options("configured")).scope()).isEqualTo("configured");
    }

    @Test
    void metadataNamingAnotherIssuerThanTheOneItWasFetchedForIsRefused() {
        routes.put("POST /tenant/mcp", new String[] {"401", "{}", null});
        routes.put("GET /.well-known/oauth-protected-resource/tenant/mcp", new String[] {"200",
                "{\"resource\":\"BASE/tenant/mcp\",\"authorization_servers\":[\"BASE/\"]}", null});
        routes.put("GET /.well-known/oauth-authorization-server", new String[] {"200", AS, null});
        assertThatThrownBy(() -> discovery.discover(options(null))).isInstanceOf(OAuthException.class)
                .hasMessageContaining("names the issuer '" + base() + "/realms/x'")
                .hasMessageContaining("RFC 8414");
    }

    @Test
    void refusesWithoutS256AndExplainsWhenRegistrationIsMissing() {
        routes.put("GET /.well-known/oauth-authorization-server", new String[] {"200",
                "{\"issuer\":\"BASE\",\"authorization_endpoint\":\"BASE/a\",\"token_endpoint\":\"BASE/t\","
                        + "\"code_challenge_methods_supported\":[\"plain\"]}", null});
        assertThatThrownBy(() -> discovery.discover(options(null))).hasMessageContaining("PKCE S256");
        routes.put("GET /.well-known/oauth-authorization-server", new String[] {"200",
                "{\"issuer\":\"BASE\",\"authorization_endpoint\":\"BASE/a\",\"token_endpoint\":\"BASE/t\"}", null});
        OAuthDiscovery.Result found = discovery.discover(options(null)); // no resource metadata: the origin is the issuer
        assertThat(found.resource()).isEqualTo(base() + "/tenant/mcp");
        assertThatThrownBy(() -> discovery.register(found, "https://c/oauth/callback"))
                .hasMessageContaining("offers no dynamic client registration").hasMessageContaining("client_id");
        OAuthDiscovery unreachable = new OAuthDiscovery(HttpClient.newHttpClient(), Duration.ofSeconds(2));
        assertThatThrownBy(() -> unreachable.discover(new OAuthOptions("http://127.0.0.1:9/mcp", false, null, null,
                null, true, null, null, null, true))).hasMessageContaining("cannot reach the upstream at http://127.0.0.1:9/mcp");
    }

    @Test
    void resourceMetadataForAnotherResourceIsRefusedUnlessAllowed() {
        routes.put("POST /tenant/mcp", new String[] {"401", "{}", null});
        routes.put("GET /.well-known/oauth-authorization-server", new String[] {"200", ROOT_AS, null});
        routes.put("GET /.well-known/oauth-protected-resource/tenant/mcp", new String[] {"200",
                "{\"resource\":\"https://mail.example.com/api\",\"authorization_servers\":[\"BASE/\"]}", null});
        assertThatThrownBy(() -> discovery.discover(options(null))).isInstanceOf(OAuthException.class)
                .hasMessageContaining("is for the resource 'https://mail.example.com/api'")
                .hasMessageContaining("not for the upstream's URL " + base() + "/tenant/mcp")
                .hasMessageContaining("RFC 9728").hasMessageContaining("check_resource: false");
        OAuthOptions allowed = new OAuthOptions(base() + "/tenant/mcp", false, null, null, null, true, null, null, null,
                false);
        assertThat(discovery.discover(allowed).resource()).isEqualTo("https://mail.example.com/api");

        routes.put("GET /.well-known/oauth-protected-resource/tenant/mcp", new String[] {"200",
                "{\"authorization_servers\":[\"BASE/\"]}", null});
        assertThatThrownBy(() -> discovery.discover(options(null))).hasMessageContaining("names no resource");

        // The origin, or a parent path, covers the upstream's URL (as the MCP SDKs accept it).
        routes.put("GET /.well-known/oauth-protected-resource/tenant/mcp", new String[] {"200",
                "{\"resource\":\"BASE\",\"authorization_servers\":[\"BASE/\"]}", null});
        assertThat(discovery.discover(options(null)).resource()).isEqualTo(base());
    }

    @Test
    void aResourceCoversItsOwnUrlAndWhatIsBelowItOnTheSameOrigin() {
        java.net.URI mcp = java.net.URI.create("https://h.example.com/tenant/mcp");
        assertThat(OAuthDiscovery.covers("https://h.example.com/tenant/mcp", mcp)).isTrue();
        assertThat(OAuthDiscovery.covers("https://H.example.com:443/tenant/mcp/", mcp)).isTrue();
        assertThat(OAuthDiscovery.covers("https://h.example.com", mcp)).isTrue();
        assertThat(OAuthDiscovery.covers("https://h.example.com/tenant", mcp)).isTrue();
        assertThat(OAuthDiscovery.covers("https://h.example.com/ten", mcp)).isFalse();
        assertThat(OAuthDiscovery.covers("https://h.example.com/tenant/mcp/admin", mcp)).isFalse();
        assertThat(OAuthDiscovery.covers("http://h.example.com/tenant/mcp", mcp)).isFalse();
        assertThat(OAuthDiscovery.covers("https://h.example.com:8443/tenant/mcp", mcp)).isFalse();
        assertThat(OAuthDiscovery.covers("https://evil.example.com/tenant/mcp", mcp)).isFalse();
        assertThat(OAuthDiscovery.covers("not a uri", mcp)).isFalse();
    }
}
