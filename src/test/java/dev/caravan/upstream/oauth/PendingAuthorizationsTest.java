package dev.caravan.upstream.oauth;

import dev.caravan.core.TokenCipher;
import dev.caravan.support.MutableClock;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pending authorization flows in memory (the probe) and in {@code oauth_pending} (V53) on H2 and the local
 * PostgreSQL, where two instances on one database stand for two nodes: a flow started on one finishes on the other.
 */
class PendingAuthorizationsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private static final StoredGrant CLIENT = new StoredGrant("https://as", "https://as/authorize",
            "https://as/token", "https://mcp.example/mcp", "files:read", "caravan-client", "client-secret-1",
            "client_secret_post", "https://hub/oauth/callback", true, null, null, null);

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgresql"})
    void statesAreSingleUseExpireAndOnlyTheLatestOfAnOwnerWorks(String where) {
        PendingAuthorizations pending = pending(rows(where, database(where)));
        String a = PendingAuthorizations.newState();
        String b = PendingAuthorizations.newState();
        String c = PendingAuthorizations.newState();
        assertThat(a).hasSize(43).isNotEqualTo(b);
        pending.add(a, flow("gh", a));
        assertThat(pending.take(a).upstream()).isEqualTo("gh");
        assertThatThrownBy(() -> pending.take(a)).hasMessageContaining("already used");
        assertThatThrownBy(() -> pending.take("nope")).hasMessageContaining("Unknown or expired");
        assertThatThrownBy(() -> pending.take(null)).hasMessageContaining("no state");

        pending.add(b, flow("gh", b));
        pending.add(c, flow("gh", c));
        assertThatThrownBy(() -> pending.take(b)).hasMessageContaining("only the latest link");
        assertThat(pending.of("gh").request().getState()).isEqualTo(c);
        clock.advance(Duration.ofMinutes(11));
        assertThat(pending.of("gh")).isNull();
        assertThatThrownBy(() -> pending.take(c)).hasMessageContaining("expire");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aFlowStartedOnOneNodeFinishesOnAnotherWithItsVerifierAndResource(String database) {
        DataSource db = database(database);
        PendingAuthorizations nodeA = pending(rows(database, db));
        PendingAuthorizations nodeB = pending(rows(database, db));
        String state = PendingAuthorizations.newState();
        PendingAuthorizations.Pending started = flow("gh", state);
        nodeA.add(state, started);

        assertThat(nodeB.of("gh").request().getAuthorizationRequestUri())
                .isEqualTo(started.request().getAuthorizationRequestUri());
        PendingAuthorizations.Pending taken = nodeB.take(state);
        assertThat(taken.request().getAttributes()).containsEntry(PkceParameterNames.CODE_VERIFIER,
                started.request().getAttribute(PkceParameterNames.CODE_VERIFIER));
        assertThat(taken.request().getAdditionalParameters())
                .isEqualTo(started.request().getAdditionalParameters());
        assertThat(taken.request().getRedirectUri()).isEqualTo("https://hub/oauth/callback");
        assertThat(taken.request().getScopes()).containsExactly("files:read");
        assertThat(taken.registration().getProviderDetails().getConfigurationMetadata())
                .containsEntry("resource", "https://mcp.example/mcp");
        assertThat(taken.registration().getClientSecret()).isEqualTo("client-secret-1");
        assertThat(taken.grant()).isEqualTo(CLIENT);
        assertThat(taken.issRequired()).as("the server said it sends iss (RFC 9207)").isTrue();
        assertThatThrownBy(() -> nodeA.take(state)).as("used on B, so refused on A").hasMessageContaining("already used");

        String row = new JdbcTemplate(db).queryForObject("select sealed from oauth_pending", String.class);
        assertThat(row).doesNotContain(state).doesNotContain("client-secret-1")
                .doesNotContain(started.request().getAttribute(PkceParameterNames.CODE_VERIFIER).toString());
        assertThat(new JdbcTemplate(db).queryForObject("select state_hash from oauth_pending", String.class))
                .isNotEqualTo(state).hasSize(64);
    }

    @Test
    void oneCallbackDeliveredToTwoNodesAtOnceIsTakenOnce() throws Exception {
        DataSource db = database("postgresql");
        List<PendingAuthorizations> nodes = List.of(pending(rows("postgresql", db)), pending(rows("postgresql", db)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                String state = PendingAuthorizations.newState();
                nodes.get(0).add(state, flow("gh", state));
                List<Future<Boolean>> tries = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    PendingAuthorizations node = nodes.get(i % 2);
                    tries.add(pool.submit((Callable<Boolean>) () -> {
                        try {
                            node.take(state);
                            return true;
                        } catch (PendingAuthorizations.Refused e) {
                            return false;
                        }
                    }));
                }
                int won = 0;
                for (Future<Boolean> t : tries) {
                    won += t.get() ? 1 : 0;
                }
                assertThat(won).as("round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void upstreamsAndDriveAccountsOfTheSameNameDoNotMeet() {
        DataSource db = database("h2");
        JdbcTemplate jdbc = new JdbcTemplate(db);
        PendingAuthorizations upstreams = pending(new JdbcFlowRows(jdbc, "upstream", this::cipher));
        PendingAuthorizations accounts = pending(new JdbcFlowRows(jdbc, "account", this::cipher));
        String u = PendingAuthorizations.newState();
        String a = PendingAuthorizations.newState();
        upstreams.add(u, flow("same", u));
        accounts.add(a, flow("same", a));
        assertThat(upstreams.of("same").request().getState()).isEqualTo(u);
        assertThatThrownBy(() -> accounts.take(u)).hasMessageContaining("Unknown");
        assertThat(accounts.take(a).upstream()).isEqualTo("same");
        assertThat(upstreams.take(u).upstream()).isEqualTo("same");
    }

    private PendingAuthorizations pending(FlowRows rows) {
        return new PendingAuthorizations(Duration.ofMinutes(10), clock, rows);
    }

    private DataSource database(String where) {
        return switch (where) {
            case "h2" -> TestDatabases.migrated(TestDatabases.plainH2());
            case "postgresql" -> TestDatabases.migrated(TestDatabases.plainPostgres());
            default -> null;
        };
    }

    private FlowRows rows(String where, DataSource db) {
        return where.equals("memory") ? new MemoryFlowRows() : new JdbcFlowRows(new JdbcTemplate(db), "upstream",
                this::cipher);
    }

    private TokenCipher cipher() {
        return TokenCipher.from(null, dir);
    }

    /** A flow as {@link UpstreamOAuth#start} makes one: PKCE S256, the resource indicator, the client's scope. */
    private PendingAuthorizations.Pending flow(String owner, String state) {
        ClientRegistration registration = TokenClient.registration(owner, CLIENT,
                AuthorizationGrantType.AUTHORIZATION_CODE, CLIENT.resource());
        OAuth2AuthorizationRequest.Builder b = OAuth2AuthorizationRequest.authorizationCode()
                .authorizationUri(CLIENT.authorizationUri()).clientId(CLIENT.clientId())
                .redirectUri(CLIENT.redirectUri()).scopes(registration.getScopes()).state(state)
                .additionalParameters(p -> p.put("resource", CLIENT.resource()));
        OAuth2AuthorizationRequestCustomizers.withPkce().accept(b);
        return new PendingAuthorizations.Pending(owner, registration, b.build(), CLIENT, clock.instant()
                .plus(Duration.ofMinutes(10)), true);
    }
}
