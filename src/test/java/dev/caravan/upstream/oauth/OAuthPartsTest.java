package dev.caravan.upstream.oauth;

import dev.caravan.core.TokenCipher;
import dev.caravan.support.MutableClock;
import dev.caravan.upstream.UpstreamConfig;
import dev.caravan.upstream.UpstreamConfigException;
import dev.caravan.upstream.UpstreamConfigParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pieces of the OAuth connector that need no server: sealing, discovery URLs, state, configuration. */
class OAuthPartsTest {

    @Test
    void sealedValuesOpenOnlyWithTheSameKeyAndContextAndResistTampering(@TempDir Path dir) throws Exception {
        TokenCipher generated = TokenCipher.from(null, dir);
        Path key = dir.resolve("secret.key");
        assertThat(key).exists();
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        String sealed = generated.seal("{\"accessToken\":\"at-123\"}", "github");
        assertThat(sealed).startsWith("v1:").doesNotContain("at-123");
        assertThat(generated.seal("{\"accessToken\":\"at-123\"}", "github")).isNotEqualTo(sealed); // fresh nonce
        assertThat(TokenCipher.from(null, dir).open(sealed, "github")).contains("at-123"); // same file, same key
        assertThatThrownBy(() -> generated.open(sealed, "gitlab")).isInstanceOf(TokenCipher.Unreadable.class);
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length - 1] ^= 1;
        String tampered = "v1:" + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> generated.open(tampered, "github")).isInstanceOf(TokenCipher.Unreadable.class)
                .hasMessageNotContaining("at-123");

        String envKey = Base64.getEncoder().encodeToString(new byte[32]);
        TokenCipher fromEnv = TokenCipher.from(envKey, dir);
        assertThatThrownBy(() -> fromEnv.open(sealed, "github")).isInstanceOf(TokenCipher.Unreadable.class)
                .hasMessageContaining("CARAVAN_SECRET_KEY");
        assertThat(fromEnv.open(fromEnv.seal("x", "a"), "a")).isEqualTo("x");
        TokenCipher passphrase = TokenCipher.from("a long passphrase, not base64", dir);
        assertThat(TokenCipher.from("a long passphrase, not base64", dir).open(passphrase.seal("y", "b"), "b"))
                .isEqualTo("y");
    }

    @Test
    void wellKnownUrlsArePathAwareFirstThenRoot() {
        assertThat(OAuthDiscovery.wellKnown(URI.create("https://mcp.example.com/tenant/mcp"),
                "oauth-protected-resource")).containsExactly(
                "https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource");
        // An issuer with a path: never the root documents, which describe another issuer on the same host
        // (conformance scenario auth/metadata-var3 traps a client that asks for them).
        assertThat(OAuthDiscovery.authorizationServerMetadata(URI.create("https://auth.example.com/realms/x/")))
                .containsExactly("https://auth.example.com/.well-known/oauth-authorization-server/realms/x",
                        "https://auth.example.com/.well-known/openid-configuration/realms/x",
                        "https://auth.example.com/realms/x/.well-known/openid-configuration");
        assertThat(OAuthDiscovery.authorizationServerMetadata(URI.create("http://localhost:3001/"))).containsExactly(
                "http://localhost:3001/.well-known/oauth-authorization-server",
                "http://localhost:3001/.well-known/openid-configuration");
        assertThat(OAuthDiscovery.canonical(URI.create("HTTPS://MCP.Example.com:8443/mcp?x=1#f")))
                .isEqualTo("https://mcp.example.com:8443/mcp");
    }

    @Test
    void bearerChallengesAreParsed() {
        Map<String, String> p = OAuthDiscovery.bearerParams("Bearer error=\"invalid_token\", error_description="
                + "\"Missing \\\"Authorization\\\" header\", resource_metadata=\"http://localhost:3000/.well-known/"
                + "oauth-protected-resource/mcp\", scope=\"mcp:tools files:read\"");
        assertThat(p).containsEntry("resource_metadata", "http://localhost:3000/.well-known/oauth-protected-resource/mcp")
                .containsEntry("scope", "mcp:tools files:read").containsEntry("error", "invalid_token")
                .containsEntry("error_description", "Missing \"Authorization\" header");
        assertThat(OAuthDiscovery.bearerParams("Bearer realm=example, scope=a")).containsEntry("realm", "example")
                .containsEntry("scope", "a");
    }

    @Test
    void upstreamsYamlTakesOAuthOptionsAndClientCredentials() {
        List<UpstreamConfig> configs = UpstreamConfigParser.parse("""
                upstreams:
                  - name: gh
                    transport: streamable-http
                    url: https://mcp.example.com/mcp
                    auth: {type: oauth, client_id: caravan, client_secret: "${GH_SECRET}", scope: "repo read",
                           resource: false}
                  - name: svc
                    transport: streamable-http
                    url: https://svc.example.com/mcp
                    auth: {type: oauth-client-credentials, client_id: c, client_secret: s,
                           token_url: https://auth.example.com/token}
                  - name: dcr
                    transport: sse
                    url: https://x.example.com/sse
                    auth: {type: oauth}
                """, "upstreams.yaml");
        assertThat(configs.get(0).auth().type()).isEqualTo(UpstreamConfig.Auth.Type.OAUTH);
        OAuthOptions gh = OAuthOptions.of(configs.get(0), n -> n.equals("GH_SECRET") ? "s3cret" : null);
        assertThat(gh.clientId()).isEqualTo("caravan");
        assertThat(gh.clientSecret()).isEqualTo("s3cret");
        assertThat(gh.scope()).isEqualTo("repo read");
        assertThat(gh.sendResource()).isFalse();
        assertThatThrownBy(() -> OAuthOptions.of(configs.get(0), n -> null))
                .hasMessage("the environment variable GH_SECRET is not set");
        OAuthOptions svc = OAuthOptions.of(configs.get(1), n -> null);
        assertThat(svc.clientCredentials()).isTrue();
        assertThat(svc.tokenUrl()).isEqualTo("https://auth.example.com/token");
        OAuthOptions dcr = OAuthOptions.of(configs.get(2), n -> null);
        assertThat(dcr.clientId()).isNull();
        assertThat(dcr.sendResource()).isTrue();

        assertThatThrownBy(() -> UpstreamConfigParser.parse("""
                upstreams:
                  - {name: a, transport: streamable-http, url: "https://a.example.com/mcp",
                     auth: {type: oauth-client-credentials, client_id: c}}
                """, "upstreams.yaml")).isInstanceOf(UpstreamConfigException.class)
                .hasMessageContaining("needs client_id and client_secret");
        assertThatThrownBy(() -> UpstreamConfigParser.parse("""
                upstreams:
                  - {name: a, transport: streamable-http, url: "https://a.example.com/mcp",
                     auth: {type: oauth, resource: maybe}}
                """, "upstreams.yaml")).hasMessageContaining("auth.resource must be true");
        assertThatThrownBy(() -> UpstreamConfigParser.parse("""
                upstreams:
                  - {name: a, transport: streamable-http, url: "https://a.example.com/mcp",
                     auth: {type: oauth, token: x}}
                """, "upstreams.yaml")).hasMessageContaining("does not take 'token'");
    }

    @Test
    void theResourceIndicatorTravelsWithTheRegistrationOnlyWhenSwitchedOn() {
        StoredGrant g = new StoredGrant("https://as", "https://as/authorize", "https://as/token", "https://mcp/x",
                "a b", "client", null, "none", "https://caravan/oauth/callback", true, null, null, null);
        ClientRegistration with = TokenClient.registration("u", g, AuthorizationGrantType.AUTHORIZATION_CODE,
                "https://mcp/x");
        assertThat(with.getProviderDetails().getConfigurationMetadata()).containsEntry("resource", "https://mcp/x");
        assertThat(with.getScopes()).containsExactlyInAnyOrder("a", "b");
        assertThat(TokenClient.registration("u", g, AuthorizationGrantType.AUTHORIZATION_CODE, null)
                .getProviderDetails().getConfigurationMetadata()).doesNotContainKey("resource");
    }

    /** SEP-837: registrations name their application_type; a redirect to this machine is a native app's. */
    @Test
    void theApplicationTypeFollowsWhereTheRedirectGoes() {
        assertThat(OAuthDiscovery.applicationType("http://localhost:3334/oauth/callback")).isEqualTo("native");
        assertThat(OAuthDiscovery.applicationType("http://127.0.0.1:8080/oauth/callback")).isEqualTo("native");
        assertThat(OAuthDiscovery.applicationType("http://[::1]:8080/oauth/callback")).isEqualTo("native");
        assertThat(OAuthDiscovery.applicationType("com.example.app:/callback")).isEqualTo("native");
        assertThat(OAuthDiscovery.applicationType("https://caravan.example.com/oauth/callback")).isEqualTo("web");
    }
}
