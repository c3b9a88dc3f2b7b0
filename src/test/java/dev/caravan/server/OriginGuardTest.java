package dev.caravan.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** DNS-rebinding protection: the Host must be an allowed name (any port), and a browser's Origin too. */
class OriginGuardTest {
    private final OriginGuard local = new OriginGuard(List.of("localhost", "127.0.0.1", "[::1]"), List.of());

    private static MockHttpServletRequest request(String host, String origin) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/mcp/x");
        r.removeHeader("Host");
        if (host != null) {
            r.addHeader("Host", host);
        }
        if (origin != null) {
            r.addHeader("Origin", origin);
        }
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "LOCALHOST:8080", "127.0.0.1:80", "[::1]", "[::1]:8080",
            " localhost:443 "})
    void allowedHostsPassOnAnyPort(String host) {
        assertThat(local.refuse(request(host, null))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.2",
            "[::2]:8080", "[::1", "::1", "", "   "})
    void otherHostsAreRefusedNamingTheSetting(String host) {
        assertThat(local.refuse(request(host, null))).contains("caravan.security.allowed-hosts");
    }

    @Test
    void aMissingHostIsRefused() {
        assertThat(local.refuse(request(null, null))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:3000", "https://LOCALHOST", "http://127.0.0.1:8080", "http://[::1]:8080"})
    void originsOfAllowedHostsPass(String origin) {
        assertThat(local.refuse(request("localhost:8080", origin))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example", "http://localhost.evil.example:8080", "http://localhost@evil.example",
            "http://[::2]:8080", "localhost", "not an origin"})
    void otherOriginsAreRefused(String origin) {
        assertThat(local.refuse(request("localhost:8080", origin))).isNotNull().contains(origin);
    }

    @Test
    void aNullOriginIsRefusedUnlessListed() {
        // Any page can send "null" (a sandboxed frame), so it is no evidence of an allowed origin.
        assertThat(local.refuse(request("localhost:8080", "null"))).contains("'null'").contains("allowed-origins");
        OriginGuard listed = new OriginGuard(List.of("localhost"), List.of("null"));
        assertThat(listed.refuse(request("localhost:8080", "null"))).isNull();
    }

    @Test
    void aNullOriginDoesNotExcuseABadHost() {
        assertThat(local.refuse(request("evil.example", "null"))).contains("allowed-hosts");
    }

    @Test
    void listedOriginsPassWhateverTheirCase() {
        OriginGuard guard = new OriginGuard(List.of("localhost"), List.of("https://App.Example.com"));
        assertThat(guard.refuse(request("localhost", "https://app.example.com"))).isNull();
        assertThat(guard.refuse(request("localhost", "HTTPS://APP.EXAMPLE.COM"))).isNull();
        // An origin is scheme, host and port: another scheme or port is another origin.
        assertThat(guard.refuse(request("localhost", "http://app.example.com"))).contains("allowed-origins");
        assertThat(guard.refuse(request("localhost", "https://app.example.com:8443"))).contains("allowed-origins");
    }

    @Test
    void wildcardsAllowEverything() {
        OriginGuard any = new OriginGuard(List.of("*"), List.of("*"));
        assertThat(any.refuse(request("anything.example:9", "https://elsewhere.example"))).isNull();
        // A wildcard origin still needs the Host to be allowed.
        OriginGuard anyOrigin = new OriginGuard(List.of("localhost"), List.of("*"));
        assertThat(anyOrigin.refuse(request("localhost", "https://elsewhere.example"))).isNull();
        assertThat(anyOrigin.refuse(request("evil.example", "https://elsewhere.example"))).isNotNull();
    }

    @Test
    void configuredHostsAreMatchedWhateverTheirCase() {
        OriginGuard guard = new OriginGuard(List.of("MCP.Example.com"), List.of());
        assertThat(guard.refuse(request("mcp.example.com:443", "https://mcp.EXAMPLE.com"))).isNull();
    }
}
