package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a new user's client meets first: a wrong or missing key, OAuth discovery, a browser's preflight, a typo. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirstContactIT extends CaravanIntegrationTest {
    private Published crm;

    @BeforeAll
    void publishEndpoint() {
        writeCrmLookupRoute();
        crm = publish("crm", "crm");
    }

    @Test
    void aWrongKeyIsAnsweredAsABearerKeyChallengeNotAnOAuthOne() {
        HttpResponse<String> r = send(mcpPost(new Published("crm", null, null, null, "wrong"), null, initializeRequest(1)).build());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString()
                .startsWith("Bearer realm=\"caravan\", error=\"invalid_token\", error_description=\"")
                .contains("not valid for this endpoint").doesNotContain("resource_metadata");
        assertThat(json(r.body()).at("/error/message").asText()).contains("not valid for this endpoint");

        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/crm"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).get().asString()
                .contains("error=\"invalid_request\"").contains("Authorization: Bearer <token>");
    }

    @Test
    void oauthDiscoveryAndRegistrationSayTheEndpointTakesABearerKey() {
        // The order mcp-remote and the Inspector try them in after a 401 (RFC 9728, RFC 8414, OpenID, RFC 7591).
        for (String path : new String[]{"/.well-known/oauth-protected-resource/mcp/crm", "/.well-known/oauth-protected-resource",
                "/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/mcp/crm",
                "/.well-known/openid-configuration"}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET().build());
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
            JsonNode body = json(r.body());
            assertThat(body.get("error").asText()).isEqualTo("not_found");
            assertThat(body.get("error_description").asText()).as(path).contains("does not use OAuth")
                    .contains("Authorization: Bearer <token>");
        }
        HttpResponse<String> register = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/register"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"redirect_uris\":[\"http://localhost:1/cb\"]}")).build());
        assertThat(register.statusCode()).isEqualTo(404);
        assertThat(json(register.body()).get("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(json(register.body()).get("error_description").asText()).contains("takes a bearer key");
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithoutACredential() {
        HttpResponse<String> r = send(preflight("http://localhost:5173"));
        assertThat(r.statusCode()).isEqualTo(204);
        Map<String, java.util.List<String>> h = r.headers().map();
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:5173");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).get().asString().contains("POST").contains("DELETE");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).get().asString()
                .contains("Authorization").contains("Mcp-Session-Id").contains("MCP-Protocol-Version");
        assertThat(r.headers().firstValue("Access-Control-Max-Age")).isPresent();
        assertThat(r.headers().allValues("Vary")).containsOnlyOnce("Origin");
        assertThat(h).doesNotContainKey("www-authenticate");

        // The actual request still needs its key, and its answers may be read by the page.
        HttpResponse<String> init = send(mcpPost(crm, null, initializeRequest(1)).header("Origin", "http://localhost:5173").build());
        assertThat(init.statusCode()).isEqualTo(200);
        assertThat(init.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:5173");
        assertThat(init.headers().firstValue("Access-Control-Expose-Headers")).get().asString().contains("Mcp-Session-Id");
        HttpResponse<String> refused = send(mcpPost(new Published("crm", null, null, null, "wrong"), null, initializeRequest(1))
                .header("Origin", "http://localhost:5173").build());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Access-Control-Expose-Headers")).get().asString().contains("WWW-Authenticate");
    }

    @Test
    void aPreflightFromAnotherOriginIsRefused() {
        HttpResponse<String> r = send(preflight("https://evil.example"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void anUnknownToolIsNamedWithTheClosestOne() {
        try (McpSyncClient client = initialized(streamableClient(crm))) {
            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("crm_lookup_custmer", Map.of())))
                    .isInstanceOf(McpError.class)
                    .hasMessageContaining("Unknown tool 'crm_lookup_custmer'")
                    .hasMessageContaining("did you mean 'crm_lookup_customer'?");
            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("weather", Map.of())))
                    .isInstanceOf(McpError.class)
                    .hasMessageContaining("Unknown tool 'weather'").hasMessageNotContaining("did you mean");
            assertThat(client.callTool(new McpSchema.CallToolRequest("crm_lookup_customer", Map.of())).isError()).isFalse();
        }
    }

    private HttpRequest preflight(String origin) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/crm"))
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build();
    }
}
