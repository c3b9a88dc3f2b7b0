package dev.caravan.workspace.lock;

import dev.caravan.support.TestDatabases;
import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.tool.ToolFailure;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on PostgreSQL (a schema of its own), plus what only a shared server can show: two nodes. */
class PostgresLockServiceTest extends LockServiceContract {
    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres();
    }

    /**
     * A write in progress on node 1 holds the guard row FOR SHARE, so an acquire on node 2 (whose node-local lock
     * knows nothing of node 1) waits until the write is done, and the next write on node 1 sees the lock.
     */
    @Test
    void anAcquireOnAnotherNodeWaitsForAWriteInProgress() throws Exception {
        LockService node2 = newService(clock);
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> write = writeInProgress(pool, finish);
            Future<LockService.Acquired> acquire = pool.submit(() -> node2.acquire("ws", p("docs"),
                    LockMode.EXCLUSIVE, null, "node2", Duration.ZERO));
            Thread.sleep(500);
            assertThat(acquire).as("node 2's acquire must wait for node 1's write").isNotDone();
            finish.countDown();
            assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo("written");
            assertThat(acquire.get(10, TimeUnit.SECONDS).lock().holder()).isEqualTo("node2");
            assertThatThrownBy(() -> write("docs/a.txt")).isInstanceOf(LockedException.class)
                    .hasMessageContaining("held by node2");
        } finally {
            pool.shutdownNow();
        }
    }

    /** An acquire that waits too long behind another node's write gives up with "busy, retry" (not an error). */
    @Test
    void anAcquireGivesUpWhenAWriteOnAnotherNodeTakesTooLong() throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        LockService impatient = new LockService(new LockRepository(jdbc, 1),
                new TransactionTemplate(new DataSourceTransactionManager(ds)), DEFAULT_TTL, MAX_TTL, clock);
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> write = writeInProgress(pool, finish);
            long start = System.nanoTime();
            assertThatThrownBy(() -> impatient.acquire("ws", p("docs"), LockMode.EXCLUSIVE, null, "x", Duration.ZERO))
                    .isInstanceOf(ToolFailure.class).isNotInstanceOf(LockedException.class)
                    .hasMessageContaining("busy with writes in progress").hasMessageContaining("retry");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            finish.countDown();
            assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo("written");
            assertThat(impatient.acquire("ws", p("docs"), LockMode.EXCLUSIVE, null, "x", Duration.ZERO).token())
                    .isNotNull();
        } finally {
            pool.shutdownNow();
        }
    }
    /**
     * Writes to one path queue across nodes (what makes ifMatch and create-only atomic on a shared folder), writes
     * to another path do not; a write held up too long is refused with "retry", and nothing ran.
     */
    @Test
    void aWriteToTheSamePathOnAnotherNodeWaitsAndOthersDoNot() throws Exception {
        LockService node2 = new LockService(new LockRepository(new JdbcTemplate(ds), 1),
                new TransactionTemplate(new DataSourceTransactionManager(ds)), DEFAULT_TTL, MAX_TTL, clock);
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> write = writeInProgress(pool, finish);
            assertThat(node2.guarded("ws", List.of(p("docs/b.txt")), List.of(), () -> "other path"))
                    .isEqualTo("other path");
            boolean[] ran = {false};
            long start = System.nanoTime();
            assertThatThrownBy(() -> node2.guarded("ws", List.of(p("docs/a.txt")), List.of(), () -> ran[0] = true))
                    .isInstanceOf(LockedException.class).hasMessageContaining("Another write to 'docs/a.txt' is "
                            + "still in progress; nothing was changed. Retry");
            assertThat(ran[0]).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            Future<String> queued = pool.submit(() -> node2.guarded("ws", List.of(p("docs/a.txt")), List.of(),
                    () -> "after"));
            Thread.sleep(300);
            assertThat(queued).as("the same path waits for the write in progress").isNotDone();
            finish.countDown();
            assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo("written");
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("after");
        } finally {
            pool.shutdownNow();
        }
    }
}
