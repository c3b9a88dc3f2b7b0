package dev.caravan.cluster;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.core.Periodic;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Two (and three) "nodes" on one PostgreSQL schema, each its own pool, lease and schedule of the same task. */
class AdvisoryLeasesTest {
    static final Duration EVERY = Duration.ofMillis(20);
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    record Node(AdvisoryLeases leases, Periodic task, AtomicInteger runs) {
        void stop() {
            task.close();
            leases.close();
        }
    }

    Node node(String schema, String task) {
        HikariDataSource pool = TestDatabases.postgres(schema);
        open.add(pool);
        AdvisoryLeases leases = new AdvisoryLeases(pool);
        AtomicInteger runs = new AtomicInteger();
        Periodic p = Periodic.every(task, Duration.ZERO, EVERY, leases, runs::incrementAndGet).start();
        Node n = new Node(leases, p, runs);
        open.add(n::stop);
        return n;
    }

    @Test
    void aSingletonTaskRunsOnExactlyOneNodeAndMovesWhenThatNodeStops() throws Exception {
        String schema = TestDatabases.newPostgresSchema();
        Node a = node(schema, "lock-purge");
        Node b = node(schema, "lock-purge");
        await("ten runs", () -> a.runs().get() + b.runs().get() >= 10);
        Node leader = a.runs().get() > 0 ? a : b;
        Node other = leader == a ? b : a;
        assertThat(other.runs()).as("runs on the node that does not lead").hasValue(0);

        leader.stop();
        int before = leader.runs().get();
        await("the other node to take over", () -> other.runs().get() >= 5);
        assertThat(leader.runs()).hasValue(before);
    }

    @Test
    void aLeaderWhoseDatabaseSessionDiesLosesTheLeaseAndOnlyOneNodeRunsAfterwards() throws Exception {
        String schema = TestDatabases.newPostgresSchema();
        Node a = node(schema, "workspaces-sweep/team");
        Node b = node(schema, "workspaces-sweep/team");
        await("runs", () -> a.runs().get() + b.runs().get() >= 5);
        // What a kill -9 of the node or a cut connection looks like to PostgreSQL: the session ends, its locks go.
        JdbcTemplate admin = new JdbcTemplate(TestDatabases.plainPostgres());
        int killed = admin.queryForObject("select count(pg_terminate_backend(pid)) from pg_locks where locktype = "
                + "'advisory' and granted and ((classid::bigint << 32) | objid::bigint) = ?", Integer.class,
                AdvisoryLeases.key(schema, "workspaces-sweep/team"));
        assertThat(killed).isEqualTo(1);
        int settledA = a.runs().get();
        int settledB = b.runs().get();
        await("runs after the session ended", () -> a.runs().get() + b.runs().get() >= settledA + settledB + 20);
        Thread.sleep(200); // let a leadership change in progress settle, then watch one window
        int a0 = a.runs().get();
        int b0 = b.runs().get();
        await("more runs", () -> a.runs().get() + b.runs().get() >= a0 + b0 + 10);
        assertThat(a.runs().get() == a0 || b.runs().get() == b0).as("only one node runs in a window").isTrue();
    }

    @Test
    void leasesOfOtherSchemasAndOtherTasksDoNotShutEachOtherOut() throws Exception {
        Node one = node(TestDatabases.newPostgresSchema(), "lock-purge");
        Node two = node(TestDatabases.newPostgresSchema(), "lock-purge");
        String schema = TestDatabases.newPostgresSchema();
        HikariDataSource pool = TestDatabases.postgres(schema);
        open.add(pool);
        AdvisoryLeases leases = new AdvisoryLeases(pool);
        open.add(leases);
        await("both schemas' tasks", () -> one.runs().get() > 0 && two.runs().get() > 0);
        assertThat(leases.leads("lock-purge")).isTrue();
        assertThat(leases.leads("workspaces-sweep/team")).isTrue();
        leases.close();
        assertThat(leases.leads("lock-purge")).as("a closed lease leads nothing").isFalse();
    }

    @Test
    void onASingleNodeDatabaseEverythingRuns() throws Exception {
        try (HikariDataSource h2 = TestDatabases.h2()) {
            assertThat(ClusterConfiguration.isPostgres(h2)).isFalse();
        }
        AtomicInteger runs = new AtomicInteger();
        new SingletonGuard(null).run("lock-purge", runs::incrementAndGet);
        assertThat(runs).hasValue(1);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
