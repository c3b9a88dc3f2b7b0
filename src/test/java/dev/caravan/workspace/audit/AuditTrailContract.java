package dev.caravan.workspace.audit;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.support.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit repository and trail on a real, freshly migrated database; run once per supported database. */
abstract class AuditTrailContract {
    HikariDataSource ds;
    AuditRepository repository;
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void start() {
        ds = freshDatabase();
        repository = new AuditRepository(new JdbcTemplate(ds));
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    AuditEvent event(int second, String principal, String op, String path, String destination, String outcome) {
        return AuditEvent.of(t0.plusSeconds(second), principal, "sales", "ws", op, path, destination, outcome,
                outcome.equals("ok") ? null : "why", 10, 3);
    }

    static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, null, null, 100);
    }

    @Test
    void hostileValuesAreStoredSafely() {
        repository.insert(List.of(AuditEvent.of(t0, "a", null, null, "read_text_file", "a/\u0000b' or 1=1 --", null,
                "denied", "x".repeat(2000), -5, -1)));
        AuditEvent e = repository.search(all()).get(0);
        assertThat(e.path()).isEqualTo("a/?b' or 1=1 --");
        assertThat(e.detail()).hasSize(500).endsWith("...");
        assertThat(e.bytes()).isZero();
        assertThat(e.endpoint()).isNull();
        // A LIKE wildcard in a prefix filter matches only itself.
        repository.insert(List.of(event(1, "a", "write_file", "a_b/x", null, "ok"),
                event(2, "a", "write_file", "axb/x", null, "ok")));
        assertThat(repository.search(new AuditQuery(null, null, null, "a_b", null, null, null, 10)))
                .extracting(AuditEvent::path).containsExactly("a_b/x");
    }

    @Test
    void filtersCombineAndResultsComeNewestFirst() {
        repository.insert(List.of(
                event(1, "sales/bot", "write_file", "docs/a.txt", null, "ok"),
                event(2, "sales/bot", "read_text_file", "docs/a.txt", null, "ok"),
                event(3, "ops/default", "write_file", "docs/a.txt", null, "locked"),
                event(4, "ops/default", "move_file", "tmp/x", "docs/b.txt", "ok"),
                event(5, "ops/default", "write_file", "docs2/a.txt", null, "ok"),
                AuditEvent.of(t0.plusSeconds(6), "ops/default", "ops", "other", "delete_file", "docs/a.txt", null,
                        "not-found", "gone", 0, 1)));
        assertThat(repository.search(all())).extracting(AuditEvent::path)
                .containsExactly("docs/a.txt", "docs2/a.txt", "tmp/x", "docs/a.txt", "docs/a.txt", "docs/a.txt");
        AuditEvent first = repository.search(all()).get(5);
        assertThat(first.at()).isEqualTo(t0.plusSeconds(1));
        assertThat(first.principal()).isEqualTo("sales/bot");
        assertThat(first.endpoint()).isEqualTo("sales");
        assertThat(first.bytes()).isEqualTo(10);
        assertThat(first.durationMs()).isEqualTo(3);
        assertThat(first.id()).isNotNull();

        assertThat(repository.search(new AuditQuery("ws", null, null, "docs", null, null, null, 100)))
                .extracting(AuditEvent::operation).containsExactly("move_file", "write_file", "read_text_file",
                        "write_file");
        assertThat(repository.search(new AuditQuery(null, "ops/default", "write_file", null, null, null, null, 100)))
                .extracting(AuditEvent::outcome).containsExactly("ok", "locked");
        assertThat(repository.search(new AuditQuery(null, null, null, null, "locked", null, null, 100))).hasSize(1);
        assertThat(repository.search(new AuditQuery(null, null, null, null, null, t0.plusSeconds(2),
                t0.plusSeconds(4), 100))).extracting(AuditEvent::at).containsExactly(t0.plusSeconds(3),
                t0.plusSeconds(2));
        assertThat(repository.search(new AuditQuery(null, null, null, null, null, null, null, 2))).hasSize(2);
        assertThat(repository.search(new AuditQuery("other", null, null, null, null, null, null, 10)))
                .extracting(AuditEvent::detail).containsExactly("gone");
    }

    @Test
    void theTrailStoresInBatchesFlushesOnCloseAndPurgesOldRecords() {
        MutableClock clock = new MutableClock(t0);
        AuditTrail trail = new AuditTrail(repository, 10_000, Duration.ofDays(90), Duration.ofHours(1), clock);
        for (int i = 0; i < 1200; i++) {
            trail.record(event(i, "p", "write_file", "f" + i, null, "ok"));
        }
        assertThat(trail.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(repository.search(new AuditQuery(null, null, null, null, null, null, null, 5000))).hasSize(1200);
        trail.record(event(0, "p", "late", "x", null, "ok"));
        trail.close();
        assertThat(repository.search(new AuditQuery(null, null, "late", null, null, null, null, 10))).hasSize(1);
        trail.record(event(0, "p", "after-close", "x", null, "ok"));
        assertThat(trail.dropped()).isEqualTo(1);

        repository.insert(List.of(AuditEvent.of(t0.minus(Duration.ofDays(91)), "p", null, "ws", "old", null, null,
                "ok", null, 0, 0)));
        AuditTrail purging = new AuditTrail(repository, 10, Duration.ofDays(90), Duration.ofHours(1), clock);
        assertThat(purging.purge()).isEqualTo(1);
        purging.close();
        assertThat(repository.search(new AuditQuery(null, null, "old", null, null, null, null, 10))).isEmpty();
    }

    @Test
    void aChangeThatWaitsForItsRecordFindsItStoredWhenItReturns() throws Exception {
        AuditTrail trail = new AuditTrail(repository, 10_000, Duration.ofDays(90), Duration.ofHours(1),
                new MutableClock(t0));
        trail.waitForChanges(Duration.ofSeconds(10));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String path = "w" + i;
                seen.add(pool.submit(() -> {
                    trail.recordChange(event(0, "p", "write_file", path, null, "ok"));
                    // No flush: returning at all means the record is in the database.
                    return repository.search(new AuditQuery(null, null, null, path, null, null, null, 5)).size() == 1;
                }));
            }
            for (java.util.concurrent.Future<Boolean> f : seen) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
            trail.close();
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        // A database that cannot keep up: each batch waits 2 s before it is stored.
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        AuditRepository slow = new AuditRepository(jdbc) {
            final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

            @Override
            public void insert(List<AuditEvent> events) {
                try {
                    gate.await(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.insert(events);
            }
        };
        AuditTrail trail = new AuditTrail(slow, 5, Duration.ofDays(90), Duration.ofHours(1), new MutableClock(t0));
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            trail.record(event(i, "p", "write_file", "f" + i, null, "ok"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("recording never waits").isLessThan(Duration.ofSeconds(1));
        // At most the queue (5) and the one batch the writer holds while it waits (its first event plus what it
        // drained from the queue, 1 + 5) are kept; everything else is dropped.
        assertThat(trail.dropped()).isGreaterThanOrEqualTo(100 - 5 - (1 + 5));
        trail.close();
        long stored = repository.search(new AuditQuery(null, null, null, null, null, null, null, 500)).size();
        assertThat(stored + trail.dropped()).isEqualTo(100);
    }
}
