package dev.caravan.workspace.lock;

import dev.caravan.support.MutableClock;
import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.WorkspacePath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lock service on a real, freshly migrated database; run once per supported database. */
abstract class LockServiceContract {
    static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    static final Duration MAX_TTL = Duration.ofHours(1);

    HikariDataSource ds;
    MutableClock clock;
    LockService locks;

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void start() {
        ds = freshDatabase();
        clock = new MutableClock(Instant.now());
        locks = newService(clock);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    /** Another service on the same database: what a second node has. */
    LockService newService(java.time.Clock c) {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        return new LockService(new LockRepository(jdbc), new TransactionTemplate(new DataSourceTransactionManager(ds)),
                DEFAULT_TTL, MAX_TTL, c);
    }

    static WorkspacePath p(String path) {
        return WorkspacePath.of(path);
    }

    LockService.Acquired acquire(String path, LockMode mode) {
        return locks.acquire("ws", p(path), mode, null, "sales/bot", Duration.ZERO);
    }

    String write(String path, String... tokens) {
        return locks.guarded("ws", List.of(p(path)), List.of(tokens), () -> "written");
    }

    // ---- hostile first: conflicts, wrong and expired tokens, non-holders

    @Test
    void exclusiveConflictsWithEveryOverlappingLockAndSharedOnlyWithExclusive() {
        acquire("docs", LockMode.EXCLUSIVE);
        assertThatThrownBy(() -> acquire("docs", LockMode.EXCLUSIVE)).isInstanceOf(LockedException.class)
                .hasMessageContaining("exclusive lock on 'docs' held by sales/bot until");
        assertThatThrownBy(() -> acquire("docs", LockMode.SHARED)).isInstanceOf(LockedException.class);
        assertThatThrownBy(() -> acquire("docs/deep/a.txt", LockMode.SHARED))
                .as("a child of an exclusively locked directory").isInstanceOf(LockedException.class);
        assertThatThrownBy(() -> acquire("", LockMode.SHARED)).as("the root above it")
                .isInstanceOf(LockedException.class);
        // Neighbours are not covered: a sibling, and a name that only starts the same.
        acquire("docs2", LockMode.EXCLUSIVE);
        acquire("other/a.txt", LockMode.EXCLUSIVE);

        acquire("shared/x", LockMode.SHARED);
        acquire("shared/x", LockMode.SHARED);
        acquire("shared", LockMode.SHARED);
        assertThatThrownBy(() -> acquire("shared/x/child", LockMode.EXCLUSIVE))
                .isInstanceOf(LockedException.class).hasMessageContaining("shared lock on");
        assertThat(locks.status("ws", p("shared"))).hasSize(3);
    }

    @Test
    void aChildLockBlocksAnExclusiveLockOnItsParentDirectory() {
        acquire("a/b/c.txt", LockMode.SHARED);
        assertThatThrownBy(() -> acquire("a", LockMode.EXCLUSIVE)).isInstanceOf(LockedException.class)
                .hasMessageContaining("'a/b/c.txt'");
        assertThatThrownBy(() -> locks.acquire("ws", WorkspacePath.ROOT, LockMode.EXCLUSIVE, null, "x", null))
                .isInstanceOf(LockedException.class);
        // Another workspace is unaffected.
        locks.acquire("other-ws", p("a"), LockMode.EXCLUSIVE, null, "x", Duration.ZERO);
    }

    @Test
    void mutationsNeedTheTokenOfEveryOverlappingLock() {
        String token = acquire("docs", LockMode.EXCLUSIVE).token();
        assertThatThrownBy(() -> write("docs/a.txt")).isInstanceOf(LockedException.class)
                .hasMessageContaining("'docs/a.txt' is locked: exclusive lock on 'docs' held by sales/bot")
                .hasMessageContaining("pass its token as lockToken");
        assertThatThrownBy(() -> write("docs/a.txt", "lck_wrong")).isInstanceOf(LockedException.class)
                .hasMessageContaining("not that lock's token");
        assertThatThrownBy(() -> write("docs")).isInstanceOf(LockedException.class);
        assertThatThrownBy(() -> write("")).as("the root contains the locked directory")
                .isInstanceOf(LockedException.class);
        assertThat(write("docs/a.txt", token)).isEqualTo("written");
        assertThat(write("docs/a.txt", "lck_other", token)).isEqualTo("written");
        assertThat(write("docs2/a.txt")).isEqualTo("written");

        // Two shared holders: neither may change it alone.
        String s1 = acquire("shared", LockMode.SHARED).token();
        String s2 = acquire("shared", LockMode.SHARED).token();
        assertThatThrownBy(() -> write("shared/x", s1)).isInstanceOf(LockedException.class);
        assertThat(write("shared/x", s1, s2)).isEqualTo("written");
        locks.release("ws", s2);
        assertThat(write("shared/x", s1)).as("a sole shared holder may write").isEqualTo("written");
    }

    @Test
    void theChangeDoesNotRunWhenRefused() {
        acquire("f.txt", LockMode.EXCLUSIVE);
        AtomicInteger ran = new AtomicInteger();
        assertThatThrownBy(() -> locks.guarded("ws", List.of(p("g.txt"), p("f.txt")), List.of(), ran::incrementAndGet))
                .isInstanceOf(LockedException.class);
        assertThat(ran).hasValue(0);
        assertThatThrownBy(() -> locks.check("ws", List.of(p("f.txt")), List.of())).isInstanceOf(LockedException.class);
    }

    @Test
    void expiredLocksNeverBlockAndCannotBeRenewed() {
        LockService.Acquired a = locks.acquire("ws", p("docs"), LockMode.EXCLUSIVE, Duration.ofSeconds(30), "a", null);
        assertThat(a.lock().expiresAt()).isEqualTo(a.lock().acquiredAt().plusSeconds(30));
        clock.advance(Duration.ofSeconds(31));
        assertThat(write("docs/a.txt")).isEqualTo("written");
        assertThat(locks.status("ws", WorkspacePath.ROOT)).isEmpty();
        assertThatThrownBy(() -> locks.renew("ws", a.token(), Duration.ofMinutes(1))).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("expired").hasMessageContaining("lock_acquire");
        // Someone else may take it now.
        acquire("docs", LockMode.EXCLUSIVE);
    }

    @Test
    void renewExtendsALiveLockAndUnknownTokensAreRefused() {
        LockService.Acquired a = locks.acquire("ws", p("docs"), LockMode.EXCLUSIVE, Duration.ofSeconds(30), "a", null);
        clock.advance(Duration.ofSeconds(20));
        LockService.Acquired renewed = locks.renew("ws", a.token(), Duration.ofSeconds(60));
        assertThat(renewed.lock().expiresAt()).isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                .plusSeconds(60));
        clock.advance(Duration.ofSeconds(40));
        assertThatThrownBy(() -> write("docs/x")).isInstanceOf(LockedException.class);
        assertThatThrownBy(() -> locks.renew("ws", "lck_nope", null)).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("No lock");
        assertThatThrownBy(() -> locks.renew("other", a.token(), null)).as("the token belongs to another workspace")
                .isInstanceOf(ToolFailure.class);
    }

    @Test
    void onlyTheTokenReleasesALock() {
        LockService.Acquired a = acquire("docs", LockMode.EXCLUSIVE);
        LockService.Acquired b = acquire("other", LockMode.EXCLUSIVE);
        assertThatThrownBy(() -> locks.release("ws", "lck_" + "x".repeat(43))).isInstanceOf(ToolFailure.class)
                .hasMessageContaining("only the holder's token releases");
        assertThatThrownBy(() -> locks.release("ws2", a.token())).isInstanceOf(ToolFailure.class);
        assertThatThrownBy(() -> write("docs/a")).isInstanceOf(LockedException.class);
        locks.release("ws", b.token());
        assertThatThrownBy(() -> write("docs/a")).as("releasing another lock frees nothing here")
                .isInstanceOf(LockedException.class);
        assertThat(locks.release("ws", a.token()).path()).isEqualTo("docs");
        assertThat(write("docs/a")).isEqualTo("written");
        assertThatThrownBy(() -> locks.release("ws", a.token())).as("released twice").isInstanceOf(ToolFailure.class);
    }

    @Test
    void ofTwoRacingReleasesOfOneTokenExactlyOneSucceeds() throws Exception {
        for (int round = 0; round < 5; round++) {
            String token = acquire("docs", LockMode.EXCLUSIVE).token();
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            locks.release("ws", token);
                            return true;
                        } catch (ToolFailure refused) {
                            return false;
                        }
                    }));
                }
                assertThat(results.get(0).get(20, TimeUnit.SECONDS) ^ results.get(1).get(20, TimeUnit.SECONDS))
                        .as("exactly one release wins").isTrue();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void ttlAboveTheCapIsCutToTheCapAndZeroIsRefused() {
        LockService.Acquired a = locks.acquire("ws", p("x"), LockMode.EXCLUSIVE, Duration.ofDays(2), "a", null);
        assertThat(a.ttlCapped()).isTrue();
        assertThat(Duration.between(a.lock().acquiredAt(), a.lock().expiresAt())).isEqualTo(MAX_TTL);
        LockService.Acquired d = locks.acquire("ws", p("y"), LockMode.EXCLUSIVE, null, "a", null);
        assertThat(d.ttlCapped()).isFalse();
        assertThat(Duration.between(d.lock().acquiredAt(), d.lock().expiresAt())).isEqualTo(DEFAULT_TTL);
        assertThat(locks.renew("ws", d.token(), Duration.ofDays(1)).ttlCapped()).isTrue();
        assertThatThrownBy(() -> locks.acquire("ws", p("z"), LockMode.EXCLUSIVE, Duration.ZERO, "a", null))
                .isInstanceOf(ToolFailure.class);
    }

    @Test
    void tokensAreRandomAndOnlyTheirHashIsStored() {
        String token = acquire("docs", LockMode.EXCLUSIVE).token();
        assertThat(token).startsWith("lck_").hasSizeGreaterThan(40);
        assertThat(acquire("docs2", LockMode.EXCLUSIVE).token()).isNotEqualTo(token);
        List<String> stored = new JdbcTemplate(ds).queryForList("select token_hash from workspace_lock", String.class);
        assertThat(stored).hasSize(2).noneMatch(h -> h.contains(token.substring(4)));
    }

    @Test
    void anAcquireWithWaitGetsTheLockOnceItIsReleased() throws Exception {
        LockService.Acquired held = acquire("docs", LockMode.EXCLUSIVE);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<LockService.Acquired> waiting = pool.submit(() -> locks.acquire("ws", p("docs/a"),
                    LockMode.EXCLUSIVE, null, "b", Duration.ofSeconds(10)));
            Thread.sleep(400);
            assertThat(waiting).isNotDone();
            locks.release("ws", held.token());
            assertThat(waiting.get(10, TimeUnit.SECONDS).lock().holder()).isEqualTo("b");
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- concurrency

    /** Many threads, half of them on a second service (another node's view of the same database). */
    @Test
    void manyThreadsRaceForOneExclusiveLockAndExactlyOneWins() throws Exception {
        LockService node2 = newService(clock);
        int threads = 16;
        for (int round = 0; round < 3; round++) {
            String path = "race/" + round;
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    LockService service = i % 2 == 0 ? locks : node2;
                    String holder = "agent-" + i;
                    results.add(pool.submit((Callable<Boolean>) () -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            service.acquire("ws", p(path), LockMode.EXCLUSIVE, null, holder, Duration.ZERO);
                            return true;
                        } catch (LockedException lost) {
                            return false;
                        }
                    }));
                }
                int wins = 0;
                for (Future<Boolean> f : results) {
                    wins += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(wins).as("winners in round " + round).isEqualTo(1);
                assertThat(locks.status("ws", p(path))).hasSize(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A write to docs/a.txt through {@code locks} that has passed its lock check and runs until {@code finish}. */
    Future<String> writeInProgress(ExecutorService pool, CountDownLatch finish) throws InterruptedException {
        CountDownLatch writing = new CountDownLatch(1);
        Future<String> write = pool.submit(() -> locks.guarded("ws", List.of(p("docs/a.txt")), List.of(), () -> {
            writing.countDown();
            await(finish);
            return "written";
        }));
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        return write;
    }

    /** Writers on one node and acquires on another: an acquire waits for the writes that passed their check. */
    @Test
    void anAcquireWaitsForAWriteInProgressOnTheSameNode() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> write = writeInProgress(pool, finish);
            Future<LockService.Acquired> acquire = pool.submit(() -> acquire("docs", LockMode.EXCLUSIVE));
            Thread.sleep(300);
            assertThat(acquire).as("the acquire must wait for the write").isNotDone();
            finish.countDown();
            assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo("written");
            assertThat(acquire.get(10, TimeUnit.SECONDS).lock().path()).isEqualTo("docs");
            assertThatThrownBy(() -> write("docs/a.txt")).isInstanceOf(LockedException.class);
        } finally {
            pool.shutdownNow();
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void purgeDeletesOnlyLongExpiredLocks() {
        locks.acquire("ws", p("old"), LockMode.EXCLUSIVE, Duration.ofSeconds(1), "a", null);
        clock.advance(Duration.ofDays(2));
        locks.acquire("ws", p("new"), LockMode.EXCLUSIVE, Duration.ofSeconds(1), "a", null);
        assertThat(locks.purge()).isEqualTo(1);
        assertThat(new JdbcTemplate(ds).queryForObject("select count(*) from workspace_lock", Integer.class)).isEqualTo(1);
    }
}
