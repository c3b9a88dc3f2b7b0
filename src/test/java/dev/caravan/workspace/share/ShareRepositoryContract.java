package dev.caravan.workspace.share;

import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The share table against a freshly migrated schema; run once per supported database. */
abstract class ShareRepositoryContract {
    ShareRepository shares;
    DataSource dataSource;

    /** A data source on an empty schema of its own. */
    protected abstract DataSource freshDataSource();

    @BeforeEach
    void migrate() {
        dataSource = TestDatabases.migrated(freshDataSource());
        shares = new ShareRepository(new JdbcTemplate(dataSource));
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    static ShareRecord share(String workspace, String hash, Integer maxUses, Instant expires) {
        Instant t = now();
        return new ShareRecord(UUID.randomUUID().toString(), hash, workspace, "docs/a.txt", false,
                SharePermission.DOWNLOAD, null, maxUses, 0, "endpoint:files", t, expires, null);
    }

    @Test
    void theSameTokenHashCannotBeStoredTwice() {
        shares.insert(share("ws", "a".repeat(64), null, now().plusSeconds(60)));
        assertThatThrownBy(() -> shares.insert(share("ws", "a".repeat(64), null, now().plusSeconds(60))))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
    }

    @Test
    void aRevokedShareCannotBeUsedOrRevokedAgainAndOtherWorkspacesCannotRevokeIt() {
        ShareRecord s = share("ws", "b".repeat(64), null, now().plusSeconds(600));
        shares.insert(s);
        assertThat(shares.revoke("other", s.id(), now())).isFalse();
        assertThat(shares.find("other", s.id())).isEmpty();
        assertThat(shares.revoke("ws", s.id(), now())).isTrue();
        assertThat(shares.revoke("ws", s.id(), now())).isFalse();
        assertThat(shares.consumeUse(s.id(), now())).isFalse();
        ShareRecord stored = shares.findByTokenHash("b".repeat(64)).orElseThrow();
        assertThat(stored.stateAt(now())).isEqualTo(ShareRecord.State.REVOKED);
        assertThat(stored.uses()).isZero();
    }

    @Test
    void anExpiredShareIsNotUsed() {
        ShareRecord s = share("ws", "c".repeat(64), null, now().minusSeconds(1));
        shares.insert(s);
        assertThat(shares.consumeUse(s.id(), now())).isFalse();
        assertThat(shares.findByTokenHash("c".repeat(64)).orElseThrow().stateAt(now()))
                .isEqualTo(ShareRecord.State.EXPIRED);
    }

    @Test
    void concurrentUsesNeverExceedMaxUses() throws Exception {
        ShareRecord s = share("ws", "d".repeat(64), 5, now().plusSeconds(600));
        shares.insert(s);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                tasks.add(() -> shares.consumeUse(s.id(), now()));
            }
            long granted = 0;
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                granted += f.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
        ShareRecord stored = shares.findByTokenHash("d".repeat(64)).orElseThrow();
        assertThat(stored.uses()).isEqualTo(5);
        assertThat(stored.stateAt(now())).isEqualTo(ShareRecord.State.USED_UP);
    }

    @Test
    void listsAWorkspacesSharesNewestFirstWithEveryField() {
        Instant t = now();
        ShareRecord older = new ShareRecord(UUID.randomUUID().toString(), "e".repeat(64), "ws", "", true,
                SharePermission.UPLOAD, "{bcrypt}$2a$10$abc", 3, 0, "endpoint:x", t.minusSeconds(10),
                t.plusSeconds(60), null);
        ShareRecord newer = share("ws", "f".repeat(64), null, t.plusSeconds(60));
        shares.insert(older);
        shares.insert(newer);
        shares.insert(share("elsewhere", "0".repeat(64), null, t.plusSeconds(60)));
        List<ShareRecord> listed = shares.list("ws", 10);
        assertThat(listed).extracting(ShareRecord::id).containsExactly(newer.id(), older.id());
        ShareRecord o = listed.get(1);
        assertThat(o).isEqualTo(older);
        assertThat(o.hasPassword()).isTrue();
        assertThat(shares.list("ws", 1)).hasSize(1);
    }
}
