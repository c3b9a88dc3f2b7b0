package dev.caravan.workspace.share;

import dev.caravan.support.MutableClock;
import dev.caravan.support.TestDatabases;
import dev.caravan.server.Credentials;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.WorkspaceConfig;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.PathNotFoundException;
import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Share links on H2 and a local workspace, with a clock the test moves. */
class SharesTest {
    @TempDir
    Path data;
    Workspaces workspaces;
    JdbcTemplate jdbc;
    Shares shares;
    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    @BeforeEach
    void setUp() {
        jdbc = new JdbcTemplate(TestDatabases.migrated(TestDatabases.plainH2()));
        workspaces = new Workspaces(data, 3, n -> null);
        workspaces.apply(List.of(new WorkspaceConfig("ws", WorkspaceConfig.Backend.LOCAL, null, null, null, 3, null)));
        write("docs/a.txt", "hello");
        workspaces.get("ws").storage().createDirectory(WorkspacePath.of("inbox"));
        shares = new Shares(new ShareRepository(jdbc), workspaces,
                new ShareSettings(Duration.ofDays(7), Duration.ofDays(30), null), clock);
    }

    @AfterEach
    void close() {
        workspaces.close();
    }

    void write(String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        workspaces.get("ws").storage().write(WorkspacePath.of(path), new ByteArrayInputStream(bytes),
                WriteOptions.overwrite());
    }

    Shares.Created create(String path, String permission, String expiresIn, String password, Integer maxUses) {
        return shares.create(new Shares.Request("ws", path, permission, expiresIn, password, maxUses, "endpoint:t"),
                "http://hub.example:8080");
    }

    static String token(Shares.Created c) {
        return c.url().substring(c.url().lastIndexOf('/') + 1);
    }

    // ---- hostile first

    @Test
    void unknownAndMalformedTokensAre404() {
        create("docs/a.txt", "view", null, null, null);
        for (String bad : new String[]{null, "", "x", "../../etc/passwd", "a".repeat(43), "a".repeat(500),
                "%00" + "a".repeat(40)}) {
            assertThatThrownBy(() -> shares.open(bad, null)).isInstanceOfSatisfying(ShareDenied.class,
                    e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @Test
    void expiredRevokedAndUsedUpSharesAre410WithTheirReason() {
        Shares.Created expiring = create("docs/a.txt", "download", "1h", null, null);
        Shares.Created revoked = create("docs/a.txt", "download", null, null, null);
        Shares.Created once = create("docs/a.txt", "download", null, null, 1);
        shares.revoke("ws", revoked.share().id());
        shares.consumeUse(shares.open(token(once), null));
        clock.advance(Duration.ofMinutes(61));
        assertThatThrownBy(() -> shares.open(token(expiring), null)).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status() + " " + e.getMessage()).isEqualTo("410 " + e.getMessage()).contains("expired"));
        assertThatThrownBy(() -> shares.open(token(revoked), null)).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status() + " " + e.getMessage()).startsWith("410").contains("revoked"));
        assertThatThrownBy(() -> shares.open(token(once), null)).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status() + " " + e.getMessage()).startsWith("410").contains("used"));
    }

    @Test
    void aUseCountedElsewhereMeanwhileStillStopsAtMaxUses() {
        Shares.Created twice = create("docs/a.txt", "download", null, null, 2);
        ShareRecord opened = shares.open(token(twice), null);
        shares.consumeUse(opened);
        shares.consumeUse(opened);
        // Opened before the uses ran out (e.g. on another node): counting fails all the same.
        assertThatThrownBy(() -> shares.consumeUse(opened)).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status()).isEqualTo(410));
    }

    @Test
    void passwordsAreRequiredCheckedAndStoredOnlyAsASlowHash() {
        Shares.Created c = create("docs/a.txt", "view", null, "correct horse", null);
        assertThatThrownBy(() -> shares.open(token(c), null)).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status() + e.getMessage()).startsWith("401").contains("needs a password"));
        assertThatThrownBy(() -> shares.open(token(c), "wrong horse")).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status() + e.getMessage()).startsWith("401").contains("wrong"));
        assertThatThrownBy(() -> shares.open(token(c), "")).isInstanceOf(ShareDenied.class);
        // bcrypt reads 72 bytes: a longer guess that starts with the password must not pass (nor fail with a 500).
        assertThatThrownBy(() -> shares.open(token(c), "correct horse" + "x".repeat(100)))
                .isInstanceOfSatisfying(ShareDenied.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThat(shares.open(token(c), "correct horse").id()).isEqualTo(c.share().id());
        String stored = jdbc.queryForObject("select password_hash from workspace_share where id = ?", String.class,
                c.share().id());
        assertThat(stored).startsWith("{bcrypt}$2").doesNotContain("correct horse");
    }

    @Test
    void tokensAreLongRandomUrlSafeAndStoredOnlyAsTheirHash() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Shares.Created c = create("docs/a.txt", "view", null, null, null);
            String token = token(c);
            assertThat(token).matches("[A-Za-z0-9_-]{43}");
            assertThat(seen.add(token)).isTrue();
            assertThat(c.url()).isEqualTo("http://hub.example:8080/s/" + token);
            assertThat(c.share().tokenHash()).isEqualTo(Credentials.hash(token));
        }
        List<String> columns = jdbc.queryForList("select token_hash from workspace_share", String.class);
        assertThat(columns).hasSize(20).noneMatch(seen::contains);
    }

    @Test
    void creationRefusesBadArgumentsAndPathsOutsideTheWorkspace() {
        assertThatThrownBy(() -> create("../etc/passwd", "view", null, null, null)).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(() -> create("/../etc/passwd", "view", null, null, null)).isInstanceOf(PathRejectedException.class);
        assertThatThrownBy(() -> create("missing.txt", "view", null, null, null)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> create("docs/a.txt", "upload", null, null, null)).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("folder");
        assertThatThrownBy(() -> create("docs/a.txt", "edit", null, null, null)).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("view, download or upload");
        assertThatThrownBy(() -> create("docs/a.txt", "view", "31d", null, null)).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("at most 30 days");
        assertThatThrownBy(() -> create("docs/a.txt", "view", "0h", null, null)).isInstanceOf(ToolFailure.class);
        assertThatThrownBy(() -> create("docs/a.txt", "view", "forever", null, null)).isInstanceOf(ToolFailure.class);
        assertThatThrownBy(() -> create("docs/a.txt", "view", null, "123", null)).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("6 characters to 72 bytes");
        assertThatThrownBy(() -> create("docs/a.txt", "view", null, "é".repeat(40), null))
                .isInstanceOf(ToolFailure.class);
        assertThatThrownBy(() -> create("docs/a.txt", "view", null, null, 0)).isInstanceOf(ToolFailure.class);
        assertThatThrownBy(() -> shares.create(new Shares.Request("nope", "a", "view", null, null, null, null), null))
                .isInstanceOf(ToolFailure.class);
        assertThat(jdbc.queryForObject("select count(*) from workspace_share", Integer.class)).isZero();
    }

    @Test
    void expiryDefaultsToTheSettingAndAcceptsShortAndIsoForms() {
        assertThat(create("docs/a.txt", "view", null, null, null).share().expiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofDays(7)));
        assertThat(create("docs/a.txt", "view", "12h", null, null).share().expiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofHours(12)));
        assertThat(create("docs/a.txt", "view", "PT30M", null, null).share().expiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
        assertThat(create("inbox", "upload", "30d", null, null).share().folder()).isTrue();
    }

    @Test
    void revokingNeedsTheRightWorkspaceAndAKnownId() {
        Shares.Created c = create("docs/a.txt", "view", null, null, null);
        workspaces.apply(List.of(new WorkspaceConfig("ws", WorkspaceConfig.Backend.LOCAL, null, null, null, 3, null),
                new WorkspaceConfig("other", WorkspaceConfig.Backend.LOCAL, null, null, null, 3, null)));
        assertThatThrownBy(() -> shares.revoke("other", c.share().id())).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("share_list");
        assertThatThrownBy(() -> shares.revoke("ws", "no-such-id")).isInstanceOf(ToolFailure.class);
        assertThat(shares.revoke("ws", c.share().id()).revokedAt()).isEqualTo(clock.instant());
        assertThatThrownBy(() -> shares.revoke("ws", c.share().id())).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("already");
    }

    @Test
    void aShareOfARemovedWorkspaceIsGone() {
        Shares.Created c = create("docs/a.txt", "view", null, null, null);
        ShareRecord opened = shares.open(token(c), null);
        workspaces.apply(List.of());
        assertThatThrownBy(() -> shares.workspaceOf(opened)).isInstanceOfSatisfying(ShareDenied.class,
                e -> assertThat(e.status()).isEqualTo(410));
    }

    @Test
    void withoutAPublicBaseUrlOrRequestTheLinkIsRelative() {
        Shares.Created c = shares.create(new Shares.Request("ws", "docs/a.txt", "view", null, null, null, null), null);
        assertThat(c.url()).startsWith("/s/");
        Shares configured = new Shares(new ShareRepository(jdbc), workspaces,
                new ShareSettings(Duration.ofDays(7), Duration.ofDays(30), "https://files.example.com/"), clock);
        assertThat(configured.create(new Shares.Request("ws", "docs/a.txt", "view", null, null, null, null),
                "http://ignored:1").url()).startsWith("https://files.example.com/s/");
    }
}
