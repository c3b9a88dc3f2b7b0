package dev.caravan.upstream.oauth;

import com.sun.net.httpserver.HttpServer;
import dev.caravan.core.CaravanSettings;
import dev.caravan.support.TestDatabases;
import dev.caravan.upstream.UpstreamConfig;
import dev.caravan.upstream.UpstreamConfigParser;
import dev.caravan.upstream.Upstreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.env.MockEnvironment;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Refresh (ahead of expiry and after a 401), a refused refresh, the client credentials grant and persistence
 * across restarts, against a token endpoint on a loopback port (the demo authorization server of the SDK example
 * issues no refresh tokens and has no client credentials grant, so these are checked here).
 */
class UpstreamOAuthTest {
    @TempDir
    Path dataDir;
    HttpServer server;
    final Deque<String[]> answers = new ConcurrentLinkedDeque<>(); // {status, body}
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** Runs as a token request arrives, before it is answered (what another node does meanwhile). */
    volatile Runnable meanwhile = () -> { };
    JdbcTemplate jdbc;
    MockEnvironment environment;
    String secretKey;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", ex -> {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            requests.add(form);
            meanwhile.run();
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String[] answer = answers.poll();
            byte[] body = (answer == null ? "{\"error\":\"server_error\"}" : answer[1]).getBytes();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(answer == null ? 500 : Integer.parseInt(answer[0]), body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        jdbc = new JdbcTemplate(TestDatabases.migrated(TestDatabases.plainH2()));
        environment = new MockEnvironment();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    String tokenUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    UpstreamOAuth oauth() {
        CaravanSettings caravan = new CaravanSettings();
        caravan.setDataDir(dataDir);
        caravan.setSecretKey(secretKey);
        caravan.setPublicBaseUrl("https://caravan.example.com/");
        return new UpstreamOAuth(jdbc, caravan, environment,
                new StaticListableBeanFactory().getBeanProvider(Upstreams.class));
    }

    static UpstreamConfig config(String auth) {
        return UpstreamConfigParser.parse("""
                upstreams:
                  - name: up
                    transport: streamable-http
                    url: https://mcp.example.com/mcp
                    auth: %s
                """.formatted(auth), "upstreams.yaml").get(0);
    }

    StoredGrant grant(String access, String refresh, Instant expires) {
        return new StoredGrant("https://as.example.com", "https://as.example.com/authorize", tokenUrl(),
                "https://mcp.example.com/mcp", "mcp:tools", "client-1", null, "none",
                "https://caravan.example.com/oauth/callback", true, access, refresh, expires);
    }

    @Test
    void refreshesAheadOfExpiryAndAfterA401ThenAFailedRefreshNeedsAuthorization() {
        UpstreamOAuth oauth = oauth();
        assertThat(oauth.callbackUrl("http://ignored")).isEqualTo("https://caravan.example.com/oauth/callback");
        UpstreamConfig config = config("{type: oauth}");
        oauth.store().save("up", "https://mcp.example.com/mcp", grant("old", "r1", Instant.now().plusSeconds(20)));
        OAuthUpstreamAuth auth = (OAuthUpstreamAuth) oauth.apply(config);
        assertThat(auth.needsAuthorization()).isFalse();
        assertThat(oauth.apply(config)).isSameAs(auth);

        answers.add(new String[] {"200", "{\"access_token\":\"new-1\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                + "\"refresh_token\":\"r2\"}"});
        assertThat(auth.accessToken()).isEqualTo("new-1"); // expired within the minute: refreshed first
        assertThat(requests.get(0)).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", "r1")
                .containsEntry("client_id", "client-1").containsEntry("resource", "https://mcp.example.com/mcp");
        assertThat(auth.accessToken()).isEqualTo("new-1"); // still fresh: no new request
        assertThat(requests).hasSize(1);

        answers.add(new String[] {"200", "{\"access_token\":\"new-2\",\"token_type\":\"bearer\",\"expires_in\":3600}"});
        assertThat(auth.recover(401, null)).isTrue(); // the upstream refused new-1: refresh, then the call is retried
        assertThat(auth.accessToken()).isEqualTo("new-2");
        assertThat(requests.get(1)).containsEntry("refresh_token", "r2");
        assertThat(auth.recover(403, "Bearer error=\"insufficient_scope\"")).isFalse(); // no scope named: nothing to ask
        assertThat(oauth.stepUpScope("up")).isNull();
        // Step-up: more scope needs a person (no retry); the next authorization asks for the union.
        assertThat(auth.recover(403, "Bearer error=\"insufficient_scope\", scope=\"mcp:write mcp:tools\", "
                + "resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\"")).isFalse();
        assertThat(oauth.stepUpScope("up")).isEqualTo("mcp:tools mcp:write");
        assertThat(auth.scopeToRequest("mcp:read")).isEqualTo("mcp:read mcp:tools mcp:write");
        assertThat(auth.accessToken()).isEqualTo("new-2"); // the token still serves what it was granted for
        auth.granted(auth.grant());
        assertThat(oauth.stepUpScope("up")).isNull();

        // Restart: the sealed grant comes back from the database (refresh token kept when none is returned).
        OAuthUpstreamAuth reloaded = (OAuthUpstreamAuth) oauth().apply(config);
        assertThat(reloaded.accessToken()).isEqualTo("new-2");
        assertThat(reloaded.grant().refreshToken()).isEqualTo("r2");
        assertThat(oauth.store().sealed("up")).doesNotContain("new-2").doesNotContain("r2\"");

        answers.add(new String[] {"400", "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}"});
        assertThat(auth.recover(401, null)).isFalse();
        assertThat(auth.needsAuthorization()).isTrue();
        assertThat(auth.authorizationReason()).contains("refreshing the OAuth access token failed")
                .contains("invalid_grant").contains("POST /admin/api/upstreams/up/authorize").doesNotContain("r2");
        assertThatThrownBy(auth::accessToken).isInstanceOf(OAuthException.class);
        StoredGrant kept = oauth.store().load("up", "https://mcp.example.com/mcp");
        assertThat(kept.accessToken()).isNull();
        assertThat(kept.clientId()).isEqualTo("client-1"); // the registration is kept for the next authorization
    }

    @Test
    void twoNodesSharingAGrantRefreshItOnceAndARaceLostToTheOtherNodeKeepsTheAuthorization() {
        UpstreamConfig config = config("{type: oauth}");
        oauth().store().save("up", "https://mcp.example.com/mcp", grant("old", "r1", Instant.now().plusSeconds(20)));
        OAuthUpstreamAuth one = (OAuthUpstreamAuth) oauth().apply(config);
        OAuthUpstreamAuth two = (OAuthUpstreamAuth) oauth().apply(config);

        answers.add(new String[] {"200", "{\"access_token\":\"new-1\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                + "\"refresh_token\":\"r2\"}"});
        assertThat(one.accessToken()).isEqualTo("new-1");
        // Node two's copy expires too, but node one refreshed already: two takes the stored tokens, no request.
        assertThat(two.accessToken()).isEqualTo("new-1");
        assertThat(requests).hasSize(1);

        // new-1 is refused on node two while node one refreshes it (r2 -> r4): two's refresh, sent with the now
        // spent r2, is refused, and two takes what one stored instead of needing authorization again.
        meanwhile = () -> oauth().store().save("up", "https://mcp.example.com/mcp",
                grant("new-3", "r4", Instant.now().plusSeconds(3600)));
        answers.add(new String[] {"400", "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token reused\"}"});
        assertThat(two.recover(401, null)).as("retry with the tokens the other node got").isTrue();
        assertThat(two.needsAuthorization()).isFalse();
        assertThat(two.accessToken()).isEqualTo("new-3");
        assertThat(oauth().store().load("up", "https://mcp.example.com/mcp").refreshToken()).isEqualTo("r4");
    }

    @Test
    void aKeyChangeOrAnotherUrlMeansAuthorizingAgain() {
        oauth().store().save("up", "https://mcp.example.com/mcp", grant("t", null, null));
        assertThat(oauth().apply(config("{type: oauth}")).needsAuthorization()).isFalse();
        assertThat(oauth().apply(UpstreamConfigParser.parse("""
                upstreams:
                  - {name: up, transport: streamable-http, url: "https://elsewhere.example.com/mcp", auth: {type: oauth}}
                """, "x").get(0)).needsAuthorization()).isTrue();
        secretKey = "another key entirely";
        assertThat(oauth().apply(config("{type: oauth}")).needsAuthorization()).isTrue();
    }

    @Test
    void clientCredentialsFetchesATokenAndFetchesAgainAfterA401() {
        environment.setProperty("SVC_SECRET", "s3cret");
        UpstreamOAuth oauth = oauth();
        OAuthUpstreamAuth auth = (OAuthUpstreamAuth) oauth.apply(config(
                "{type: oauth-client-credentials, client_id: svc, client_secret: \"${SVC_SECRET}\", scope: read, "
                        + "token_url: \"" + tokenUrl() + "\"}"));
        assertThat(auth.needsAuthorization()).isFalse();
        answers.add(new String[] {"200", "{\"access_token\":\"cc-1\",\"token_type\":\"Bearer\",\"expires_in\":600}"});
        assertThat(auth.accessToken()).isEqualTo("cc-1");
        assertThat(requests.get(0)).containsEntry("grant_type", "client_credentials").containsEntry("scope", "read")
                .containsEntry("resource", "https://mcp.example.com/mcp");
        assertThat(authorizations.get(0)).startsWith("Basic "); // client_secret_basic, the RFC 6749 default
        answers.add(new String[] {"200", "{\"access_token\":\"cc-2\",\"token_type\":\"Bearer\",\"expires_in\":600}"});
        assertThat(auth.recover(401, null)).isTrue();
        assertThat(auth.accessToken()).isEqualTo("cc-2");
        assertThatThrownBy(() -> oauth.start("up", "http://x")).isInstanceOf(UpstreamOAuth.NotOAuth.class);

        answers.add(new String[] {"401", "{\"error\":\"invalid_client\"}"});
        assertThat(auth.recover(401, null)).isFalse();
    }
}
