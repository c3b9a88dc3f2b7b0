package dev.caravan.server;

import dev.caravan.store.CredentialRecord;
import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials as the endpoint service checks them on every request: a credential read from the database is trusted
 * for about two seconds, so changes made on this node apply at once and changes made elsewhere (another node on a
 * shared database) within that window; an end time applies to the moment, cached or not.
 */
class EndpointCredentialsTest {
    /** A little over EndpointService's recheck window. */
    private static final long PAST_THE_WINDOW_MS = 2_300;

    private final ServerFixture server = new ServerFixture();
    private final EndpointService endpoints = server.endpoints;
    private final String token = endpoints.create("docs", List.of("*"));

    @AfterEach
    void close() {
        server.close();
    }

    private CredentialRecord stored(String name) {
        return server.credentials.findByEndpoint("docs").stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void theTokenOpensItsEndpointOnly() {
        Caller caller = endpoints.authenticate("docs", token);
        assertThat(caller).isNotNull();
        assertThat(caller.credential()).isEqualTo(EndpointService.DEFAULT_CREDENTIAL);
        assertThat(endpoints.authenticate("other", token)).isNull();
        assertThat(endpoints.authenticate("docs", token + "x")).isNull();
        assertThat(endpoints.authenticate("docs", "")).isNull();
        assertThat(endpoints.authenticate("docs", null)).isNull();
        assertThat(endpoints.authenticate("docs", "x".repeat(513))).isNull();
    }

    @Test
    void aCredentialEndsAtItsExpiryEvenWhileCached() throws Exception {
        String shortLived = endpoints.createCredential("docs", "brief", WorkspaceScopes.ALL, Instant.now().plusMillis(1200));
        assertThat(endpoints.authenticate("docs", shortLived)).isNotNull();
        Thread.sleep(1400);
        assertThat(endpoints.authenticate("docs", shortLived)).isNull();
        assertThat(endpoints.callerFor(shortLived)).isEmpty();
    }

    @Test
    void aCredentialDeletedOnAnotherNodeIsRefusedOnceTheCacheWindowHasPassed() throws Exception {
        String reader = endpoints.createCredential("docs", "reader", WorkspaceScopes.ALL, null);
        assertThat(endpoints.authenticate("docs", reader)).isNotNull();
        // Another node shares the database: it deletes the row, this node's service is not told.
        assertThat(server.credentials.deleteNamed("docs", "reader")).isEqualTo(1);
        Thread.sleep(PAST_THE_WINDOW_MS);
        assertThat(endpoints.authenticate("docs", reader)).isNull();
    }

    @Test
    void aSecretRenewedOnAnotherNodeEndsHereOnceTheCacheWindowHasPassed() throws Exception {
        assertThat(endpoints.authenticate("docs", token)).isNotNull();
        server.credentials.expireNamed("docs", EndpointService.DEFAULT_CREDENTIAL, Instant.now());
        Thread.sleep(PAST_THE_WINDOW_MS);
        assertThat(endpoints.authenticate("docs", token)).isNull();
    }

    @Test
    void changesMadeThroughThisServiceApplyAtOnce() {
        String reader = endpoints.createCredential("docs", "reader", WorkspaceScopes.ALL, null);
        assertThat(endpoints.authenticate("docs", reader)).isNotNull();
        endpoints.deleteCredential("docs", "reader");
        assertThat(endpoints.authenticate("docs", reader)).isNull();

        assertThat(endpoints.authenticate("docs", token)).isNotNull();
        String renewed = endpoints.regenerate("docs", 0);
        assertThat(endpoints.authenticate("docs", token)).isNull();
        assertThat(endpoints.authenticate("docs", renewed)).isNotNull();

        endpoints.delete("docs");
        assertThat(endpoints.authenticate("docs", renewed)).isNull();
    }

    @Test
    void aRenewedSecretWithGraceKeepsTheOldOneUntilTheGraceEnds() {
        String renewed = endpoints.regenerate("docs", 3600);
        assertThat(endpoints.authenticate("docs", token)).isNotNull();
        assertThat(endpoints.authenticate("docs", renewed)).isNotNull();
    }

    @Test
    void useIsRecordedOncePerMinuteAtMost() {
        assertThat(stored(EndpointService.DEFAULT_CREDENTIAL).lastUsedAt()).isNull();
        Instant before = Instant.now().minusSeconds(1);
        endpoints.authenticate("docs", token);
        Instant first = stored(EndpointService.DEFAULT_CREDENTIAL).lastUsedAt();
        assertThat(first).isNotNull().isAfter(before);
        // A refused attempt is not a use.
        String reader = endpoints.createCredential("docs", "reader", WorkspaceScopes.ALL, null);
        endpoints.authenticate("other", reader);
        assertThat(stored("reader").lastUsedAt()).isNull();
        // Within the minute the row is not written again.
        server.jdbc.update("update credential set last_used_at = ? where name = ?",
                java.sql.Timestamp.from(Instant.parse("2020-01-01T00:00:00Z")), EndpointService.DEFAULT_CREDENTIAL);
        endpoints.authenticate("docs", token);
        assertThat(stored(EndpointService.DEFAULT_CREDENTIAL).lastUsedAt()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    }
}
