package dev.caravan.store;

import dev.caravan.imports.ImportJob;
import dev.caravan.imports.ImportJobRepository;
import dev.caravan.imports.ImportReason;
import dev.caravan.imports.ImportState;
import dev.caravan.support.TestDatabases;
import dev.caravan.core.WorkspaceScopes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The repositories against a freshly migrated schema; run once per supported database. */
abstract class StoreContract {
    protected EndpointRepository endpoints;
    protected CredentialRepository credentials;
    protected ManagedUpstreamRepository managedUpstreams;
    protected WorkspaceRepository workspaces;
    protected OwnershipRepository ownership;
    protected ImportJobRepository imports;

    /** A data source on an empty schema of its own. */
    protected abstract DataSource freshDataSource() throws Exception;

    @BeforeEach
    void migrate() throws Exception {
        DataSource ds = TestDatabases.migrated(freshDataSource());
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        endpoints = new EndpointRepository(jdbc);
        credentials = new CredentialRepository(jdbc);
        managedUpstreams = new ManagedUpstreamRepository(jdbc);
        workspaces = new WorkspaceRepository(jdbc);
        ownership = new OwnershipRepository(jdbc);
        imports = new ImportJobRepository(jdbc);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void endpointsRoundTrip() {
        Instant t = now();
        endpoints.insert(new EndpointRecord("sales", List.of("crm", "report_*"), true, t, t));
        assertThat(endpoints.find("sales")).get().satisfies(e -> {
            assertThat(e.tools()).containsExactly("crm", "report_*");
            assertThat(e.enabled()).isTrue();
            assertThat(e.createdAt()).isEqualTo(t);
        });
        endpoints.update(new EndpointRecord("sales", List.of("crm"), false, t, t.plusSeconds(1)));
        assertThat(endpoints.find("sales").orElseThrow().enabled()).isFalse();
        assertThat(endpoints.findAll()).extracting(EndpointRecord::name).containsExactly("sales");
        assertThatThrownBy(() -> endpoints.insert(new EndpointRecord("sales", List.of("x"), true, t, t)))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(endpoints.delete("sales")).isTrue();
        assertThat(endpoints.find("sales")).isEmpty();
    }

    @Test
    void credentialsAreFoundByHashExpireAndGoWithTheirEndpoint() {
        Instant t = now();
        endpoints.insert(new EndpointRecord("ops", List.of("ops"), true, t, t));
        String id = UUID.randomUUID().toString();
        credentials.insert(new CredentialRecord(id, "ops", "default", "a".repeat(64), t, null, null));
        assertThat(credentials.findByHash("a".repeat(64))).get().satisfies(c -> {
            assertThat(c.endpoint()).isEqualTo("ops");
            assertThat(c.activeAt(t.plusSeconds(3600))).isTrue();
        });
        assertThat(credentials.findByHash("b".repeat(64))).isEmpty();

        credentials.touch(id, t.plusSeconds(5));
        assertThat(credentials.findByHash("a".repeat(64)).orElseThrow().lastUsedAt()).isEqualTo(t.plusSeconds(5));

        assertThat(credentials.expireAll("ops", t.plusSeconds(60))).isEqualTo(1);
        CredentialRecord expiring = credentials.findByHash("a".repeat(64)).orElseThrow();
        assertThat(expiring.activeAt(t.plusSeconds(59))).isTrue();
        assertThat(expiring.activeAt(t.plusSeconds(61))).isFalse();
        // An earlier end is never pushed later by a second regeneration.
        assertThat(credentials.expireAll("ops", t.plusSeconds(120))).isZero();

        endpoints.delete("ops");
        assertThat(credentials.findByEndpoint("ops")).isEmpty();
    }

    @Test
    void aTokenHashIsUnique() {
        Instant t = now();
        endpoints.insert(new EndpointRecord("a", List.of("a"), true, t, t));
        credentials.insert(new CredentialRecord("1", "a", "default", "c".repeat(64), t, null, null));
        assertThatThrownBy(() -> credentials.insert(new CredentialRecord("2", "a", "other", "c".repeat(64), t, null, null)))
                .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
    }

    @Test
    void managedUpstreamsRoundTrip() {
        Instant t = now();
        String big = "{\"name\":\"docs\",\"auth\":{\"token\":\"sealed:v1:" + "A".repeat(12000) + "\"}}";
        managedUpstreams.insert(new ManagedUpstreamRecord("docs", big, t, t));
        assertThat(managedUpstreams.find("docs")).get().satisfies(r -> {
            assertThat(r.declaration()).isEqualTo(big);
            assertThat(r.createdAt()).isEqualTo(t);
        });
        assertThatThrownBy(() -> managedUpstreams.insert(new ManagedUpstreamRecord("docs", "{}", t, t)))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(managedUpstreams.update(new ManagedUpstreamRecord("docs", "{\"name\":\"docs\"}", null,
                t.plusSeconds(1)))).isTrue();
        assertThat(managedUpstreams.find("docs").orElseThrow().updatedAt()).isEqualTo(t.plusSeconds(1));
        assertThat(managedUpstreams.update(new ManagedUpstreamRecord("nothere", "{}", null, t))).isFalse();
        managedUpstreams.insert(new ManagedUpstreamRecord("alpha", "{}", t, t));
        assertThat(managedUpstreams.findAll()).extracting(ManagedUpstreamRecord::name).containsExactly("alpha", "docs");
        assertThat(managedUpstreams.delete("docs")).isTrue();
        assertThat(managedUpstreams.delete("docs")).isFalse();
        assertThat(managedUpstreams.find("docs")).isEmpty();
    }

    @Test
    void credentialScopesRoundTripAndOldCredentialsHaveAll() {
        Instant t = now();
        endpoints.insert(new EndpointRecord("files", List.of("workspace"), true, t, t));
        credentials.insert(new CredentialRecord("1", "files", "default", "a".repeat(64), t, null, null));
        WorkspaceScopes reader = WorkspaceScopes.parse(List.of("team-*", "notes"), List.of("read", "lock"));
        credentials.insert(new CredentialRecord("2", "files", "reader", "b".repeat(64), t, null, t.plusSeconds(60), reader));
        assertThat(credentials.findByHash("a".repeat(64)).orElseThrow().scopes()).isEqualTo(WorkspaceScopes.ALL);
        CredentialRecord r = credentials.findByHash("b".repeat(64)).orElseThrow();
        assertThat(r.scopes()).isEqualTo(reader);
        assertThat(r.scopes().operationIds()).containsExactly("read", "lock");
        assertThat(r.expiresAt()).isEqualTo(t.plusSeconds(60));

        // Regenerating "default" leaves the named credential alone.
        assertThat(credentials.expireNamed("files", "default", t.plusSeconds(1))).isEqualTo(1);
        assertThat(credentials.findByHash("b".repeat(64)).orElseThrow().expiresAt()).isEqualTo(t.plusSeconds(60));
        assertThat(credentials.deleteNamed("files", "reader")).isEqualTo(1);
        assertThat(credentials.findByHash("b".repeat(64))).isEmpty();
        assertThat(credentials.deleteNamed("files", "reader")).isZero();
    }

    @Test
    void runtimeWorkspacesAreUniqueAndCountedByCreator() {
        Instant t = now();
        workspaces.insert(new WorkspaceRecord("q3", "{\"name\":\"q3\"}", t, "files/bot"));
        workspaces.insert(new WorkspaceRecord("q4", "{\"name\":\"q4\"}", t.plusSeconds(1), "files/bot"));
        assertThatThrownBy(() -> workspaces.insert(new WorkspaceRecord("q3", "{}", t, "x/y")))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(workspaces.findAll()).extracting(WorkspaceRecord::name).containsExactly("q3", "q4");
        assertThat(workspaces.find("q3").orElseThrow().declaration()).isEqualTo("{\"name\":\"q3\"}");
        assertThat(workspaces.countCreatedBy("files/bot")).isEqualTo(2);
        assertThat(workspaces.countCreatedBy("files/other")).isZero();
        assertThat(workspaces.delete("q3")).isTrue();
        assertThat(workspaces.delete("q3")).isFalse();
    }

    @Test
    void ownersGrantsAndSingleUseClaims() {
        Instant t = now();
        assertThat(ownership.owner("q3")).isEmpty();
        ownership.setOwner("q3", "files/alice", t);
        ownership.setOwner("q3", "files/bob", t);
        assertThat(ownership.owner("q3")).contains("files/bob");
        assertThat(ownership.owners()).containsEntry("q3", "files/bob").hasSize(1);
        ownership.grant("q3", "files/alice", "files/bob", t);
        ownership.grant("q3", "files/alice", "files/bob", t); // twice is once
        assertThat(ownership.grants("q3")).containsExactly("files/alice");
        assertThat(ownership.hasGrant("q3", "files/alice")).isTrue();
        assertThat(ownership.hasGrant("q3", "files/carol")).isFalse();

        ownership.insertClaim(new OwnershipRepository.Claim("c".repeat(64), "q3", "files/bob", "files/carol", true, t,
                t.plusSeconds(60), null, null));
        ownership.insertClaim(new OwnershipRepository.Claim("d".repeat(64), "q3", "files/bob", null, false, t,
                t.plusSeconds(60), null, null));
        assertThat(ownership.findClaim("c".repeat(64))).get().satisfies(c -> {
            assertThat(c.forPrincipal()).isEqualTo("files/carol");
            assertThat(c.keepAccess()).isTrue();
            assertThat(c.expiresAt()).isEqualTo(t.plusSeconds(60));
        });
        // Expired: not redeemable. Then exactly one redemption wins.
        assertThat(ownership.redeem("c".repeat(64), "files/carol", t.plusSeconds(61))).isFalse();
        assertThat(ownership.redeem("c".repeat(64), "files/carol", t.plusSeconds(1))).isTrue();
        assertThat(ownership.redeem("c".repeat(64), "files/carol", t.plusSeconds(2))).isFalse();
        assertThat(ownership.findClaim("c".repeat(64)).orElseThrow().usedBy()).isEqualTo("files/carol");
        // A change of owner voids unused claims but keeps the record of used ones.
        assertThat(ownership.voidClaims("q3")).isEqualTo(1);
        assertThat(ownership.findClaim("d".repeat(64))).isEmpty();
        assertThat(ownership.findClaim("c".repeat(64))).isPresent();

        ownership.revokeGrant("q3", "files/alice");
        assertThat(ownership.grants("q3")).isEmpty();
        ownership.setOwner("q3", null, t);
        assertThat(ownership.owner("q3")).isEmpty();
        ownership.setOwner("q3", "files/bob", t);
        ownership.forget("q3");
        assertThat(ownership.owner("q3")).isEmpty();
        assertThat(ownership.findClaim("c".repeat(64))).isEmpty();
    }

    @Test
    void importJobsAreClaimedOnceLeasedAndRecoveredFromDeadNodes() {
        Instant t = now();
        imports.insert(ImportJob.queued("j1", "default", "in/", "https://example.com/a", "web", "rename", "ops/a", "ops", t));
        imports.insert(ImportJob.queued("j2", "default", "b.txt", "https://example.com/b", "web", "fail", "ops/a", "ops",
                t.plusMillis(1)));
        imports.insert(ImportJob.queued("j3", "default", "c.txt", "https://example.com/c", "web", "fail", "ops/b", "ops",
                t.plusMillis(2)));
        assertThat(imports.byPrincipal("ops/a", 10)).extracting(ImportJob::id).containsExactly("j2", "j1");
        assertThat(imports.all(2)).extracting(ImportJob::id).containsExactly("j3", "j2");

        // Oldest first, each claimed by one node only.
        ImportJob first = imports.claimNext("node-a", t, t.plusSeconds(30)).orElseThrow();
        assertThat(first.id()).isEqualTo("j1");
        assertThat(first.state()).isEqualTo(ImportState.RUNNING);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(imports.claimNext("node-b", t, t.plusSeconds(30)).orElseThrow().id()).isEqualTo("j2");
        assertThat(imports.heartbeat("j1", "node-a", 10, 100L, t.plusSeconds(1), t.plusSeconds(31))).isTrue();
        assertThat(imports.heartbeat("j1", "node-b", 10, 100L, t.plusSeconds(1), t.plusSeconds(31))).isFalse();

        // Cancel: a queued job ends at once, a running one is flagged.
        assertThat(imports.cancel("j3", t).orElseThrow().reason()).isEqualTo(ImportReason.CANCELLED);
        assertThat(imports.cancel("j2", t).orElseThrow().state()).isEqualTo(ImportState.RUNNING);
        assertThat(imports.cancelRequested("j2")).isTrue();
        assertThat(imports.claimNext("node-b", t, t.plusSeconds(30))).isEmpty();

        // node-b dies: j2's lease runs out; a flagged job is not run again but ends interrupted.
        assertThat(imports.recoverExpired(t.plusSeconds(40), 2)).isEqualTo(2);
        assertThat(imports.find("j2").orElseThrow().reason()).isEqualTo(ImportReason.INTERRUPTED);
        // j1's lease (renewed to t+31) also ran out by t+40: queued again, bytes reset, then it may run once more.
        ImportJob requeued = imports.find("j1").orElseThrow();
        assertThat(requeued.state()).isEqualTo(ImportState.QUEUED);
        assertThat(requeued.bytes()).isZero();
        ImportJob second = imports.claimNext("node-c", t.plusSeconds(41), t.plusSeconds(71)).orElseThrow();
        assertThat(second.attempts()).isEqualTo(2);
        // The old node cannot end it any more; the new one can.
        ImportJobRepository.Outcome done = new ImportJobRepository.Outcome(ImportState.DONE, null, null, null, 3, 3L,
                "in/a", "e1", "f".repeat(64), "text/plain");
        assertThat(imports.finish("j1", "node-a", done, t.plusSeconds(42))).isFalse();
        assertThat(imports.finish("j1", "node-c", done, t.plusSeconds(42))).isTrue();
        assertThat(imports.find("j1").orElseThrow()).satisfies(j -> {
            assertThat(j.state()).isEqualTo(ImportState.DONE);
            assertThat(j.writtenPath()).isEqualTo("in/a");
            assertThat(j.sha256()).isEqualTo("f".repeat(64));
            assertThat(j.finishedAt()).isEqualTo(t.plusSeconds(42));
            assertThat(j.leaseOwner()).isNull();
        });
        // A second expiry past the attempts left ends it interrupted instead of queueing it again.
        imports.insert(ImportJob.queued("j4", "default", "d", "https://example.com/d", "web", "fail", "x", null, t));
        imports.claimNext("n", t, t.plusSeconds(1));
        imports.recoverExpired(t.plusSeconds(2), 1);
        assertThat(imports.find("j4").orElseThrow().reason()).isEqualTo(ImportReason.INTERRUPTED);
        assertThat(imports.purgeFinished(t.plusSeconds(100))).isEqualTo(4);
    }

    @Test
    void driveLinkOptionsAreKeptWhileTheJobRunsAndTheSealedPasswordIsClearedAtTheEnd() {
        Instant t = now();
        imports.insert(ImportJob.queued("p1", "default", "in/", "https://www.dropbox.com/s/x/a", "dropbox", "rename",
                "ops/a", "ops", t, null, "v1:sealed-one"));
        imports.insert(ImportJob.queued("p2", "default", "in/", "https://docs.google.com/document/d/1x/edit", "gdrive",
                "rename", "ops/a", "ops", t.plusMillis(1), "md", null));
        imports.insert(ImportJob.queued("p3", "default", "in/", "https://app.box.com/s/y", "box", "rename", "ops/a",
                "ops", t.plusMillis(2), null, "v1:sealed-three"));
        ImportJob running = imports.claimNext("node-a", t, t.plusSeconds(30)).orElseThrow();
        assertThat(running.linkPassword()).isEqualTo("v1:sealed-one"); // another node claiming it can open it too
        assertThat(imports.find("p2").orElseThrow().exportFormat()).isEqualTo("md");
        imports.finish("p1", "node-a", new ImportJobRepository.Outcome(ImportState.FAILED, ImportReason.PASSWORD_REQUIRED,
                "refused", 409, 0, null, null, null, null, null), t.plusSeconds(1));
        assertThat(imports.find("p1").orElseThrow().linkPassword()).isNull();
        imports.cancel("p3", t.plusSeconds(1)); // queued: ends at once, and forgets the password too
        assertThat(imports.find("p3").orElseThrow().linkPassword()).isNull();
    }
}
