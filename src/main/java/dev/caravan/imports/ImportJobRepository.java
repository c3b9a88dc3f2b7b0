package dev.caravan.imports;

import dev.caravan.store.SqlTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The import_job rows. Claims and state changes are conditional updates ({@code where state = ... and lease_owner =
 * ...}): the database decides which node wins a job and a node that lost its lease can no longer end the job, on H2
 * and PostgreSQL alike. (Under PostgreSQL's read committed, a second node's update waits for the first and re-checks
 * its condition, so a queued job is claimed once without FOR UPDATE SKIP LOCKED; losing a race costs one round trip.)
 */
public class ImportJobRepository {
    private static final RowMapper<ImportJob> ROW = (rs, i) -> new ImportJob(rs.getString("id"),
            rs.getString("workspace"), rs.getString("target"), rs.getString("url"), rs.getString("provider"),
            rs.getString("on_conflict"), rs.getString("principal"), rs.getString("endpoint"),
            ImportState.of(rs.getString("state")), ImportReason.of(rs.getString("reason")), rs.getString("detail"),
            (Integer) rs.getObject("http_status", Integer.class), rs.getLong("bytes"),
            (Long) rs.getObject("total", Long.class), rs.getString("written_path"), rs.getString("etag"),
            rs.getString("sha256"), rs.getString("content_type"), rs.getInt("attempts"),
            rs.getBoolean("cancel_requested"), rs.getString("lease_owner"), SqlTime.instant(rs, "lease_until"),
            SqlTime.instant(rs, "created_at"), SqlTime.instant(rs, "updated_at"), SqlTime.instant(rs, "finished_at"),
            rs.getString("files"), rs.getString("export_format"), rs.getString("link_password"));

    /** How a job ended. */
    public record Outcome(ImportState state, ImportReason reason, String detail, Integer httpStatus, long bytes,
                          Long total, String writtenPath, String etag, String sha256, String contentType,
                          String files) {
        /** A single file's outcome (no per-file report). */
        public Outcome(ImportState state, ImportReason reason, String detail, Integer httpStatus, long bytes,
                       Long total, String writtenPath, String etag, String sha256, String contentType) {
            this(state, reason, detail, httpStatus, bytes, total, writtenPath, etag, sha256, contentType, null);
        }

        static Outcome failed(ImportReason reason, String detail, Integer httpStatus, long bytes, Long total,
                              String files) {
            return new Outcome(ImportState.FAILED, reason, cut(detail), httpStatus, bytes, total, null, null, null, null,
                    files);
        }
    }

    private final JdbcTemplate jdbc;

    public ImportJobRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(ImportJob j) {
        jdbc.update("insert into import_job (id, workspace, target, url, provider, on_conflict, principal, endpoint, "
                        + "state, bytes, attempts, cancel_requested, created_at, updated_at, export_format, link_password) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, false, ?, ?, ?, ?)",
                j.id(), j.workspace(), j.target(), j.url(), j.provider(), j.onConflict(), j.principal(), j.endpoint(),
                ImportState.QUEUED.word(), SqlTime.time(j.createdAt()), SqlTime.time(j.updatedAt()), j.exportFormat(),
                j.linkPassword());
    }

    public Optional<ImportJob> find(String id) {
        return jdbc.query("select * from import_job where id = ?", ROW, id).stream().findFirst();
    }

    /** A principal's jobs, newest first. */
    public List<ImportJob> byPrincipal(String principal, int limit) {
        return jdbc.query("select * from import_job where principal = ? order by created_at desc, id desc "
                + "fetch first " + limit + " rows only", ROW, principal);
    }

    /** Every job, newest first (the admin API). */
    public List<ImportJob> all(int limit) {
        return jdbc.query("select * from import_job order by created_at desc, id desc fetch first " + limit
                + " rows only", ROW);
    }

    /** Claims the oldest queued job for {@code owner} until {@code leaseUntil}; empty when there is none left. */
    public int count(ImportState state) {
        Integer n = jdbc.queryForObject("select count(*) from import_job where state = ?", Integer.class,
                state.word());
        return n == null ? 0 : n;
    }

    public Optional<ImportJob> claimNext(String owner, Instant now, Instant leaseUntil) {
        for (int round = 0; round < 5; round++) {
            List<String> candidates = jdbc.queryForList("select id from import_job where state = ? and "
                    + "cancel_requested = false order by created_at, id fetch first 8 rows only", String.class,
                    ImportState.QUEUED.word());
            if (candidates.isEmpty()) {
                return Optional.empty();
            }
            for (String id : candidates) {
                int won = jdbc.update("update import_job set state = ?, lease_owner = ?, lease_until = ?, "
                                + "attempts = attempts + 1, updated_at = ? where id = ? and state = ?",
                        ImportState.RUNNING.word(), owner, SqlTime.time(leaseUntil), SqlTime.time(now), id,
                        ImportState.QUEUED.word());
                if (won == 1) {
                    return find(id);
                }
            }
        }
        return Optional.empty();
    }

    /** Renews the lease and records progress; false when the job is no longer this owner's (expired and taken). */
    public boolean heartbeat(String id, String owner, long bytes, Long total, Instant now, Instant leaseUntil) {
        return jdbc.update("update import_job set lease_until = ?, bytes = ?, total = ?, updated_at = ? "
                        + "where id = ? and lease_owner = ? and state = ?", SqlTime.time(leaseUntil), bytes, total,
                SqlTime.time(now), id, owner, ImportState.RUNNING.word()) == 1;
    }

    public boolean cancelRequested(String id) {
        return Boolean.TRUE.equals(jdbc.query("select cancel_requested from import_job where id = ?",
                rs -> rs.next() ? rs.getBoolean(1) : Boolean.FALSE, id));
    }

    /** Ends a running job this owner holds; false when it lost the lease meanwhile. */
    public boolean finish(String id, String owner, Outcome o, Instant now) {
        return jdbc.update("update import_job set state = ?, reason = ?, detail = ?, http_status = ?, bytes = ?, "
                        + "total = ?, written_path = ?, etag = ?, sha256 = ?, content_type = ?, files = ?, "
                        + "link_password = null, lease_owner = null, "
                        + "lease_until = null, updated_at = ?, finished_at = ? where id = ? and lease_owner = ? "
                        + "and state = ?", o.state().word(), o.reason() == null ? null : o.reason().word(),
                cut(o.detail()), o.httpStatus(), o.bytes(), o.total(), o.writtenPath(), o.etag(), o.sha256(),
                o.contentType(), o.files(), SqlTime.time(now), SqlTime.time(now), id, owner, ImportState.RUNNING.word()) == 1;
    }

    /**
     * Asks for a job to stop: a queued one ends cancelled at once, a running one is flagged for the node running
     * it. Returns the job as it is afterwards.
     */
    public Optional<ImportJob> cancel(String id, Instant now) {
        jdbc.update("update import_job set state = ?, reason = ?, detail = ?, cancel_requested = true, updated_at = ?, "
                        + "finished_at = ?, link_password = null where id = ? and state = ?", ImportState.FAILED.word(),
                ImportReason.CANCELLED.word(), "Cancelled before it started.", SqlTime.time(now), SqlTime.time(now),
                id, ImportState.QUEUED.word());
        jdbc.update("update import_job set cancel_requested = true, updated_at = ? where id = ? and state = ?",
                SqlTime.time(now), id, ImportState.RUNNING.word());
        return find(id);
    }

    /**
     * Running jobs whose lease ran out (their node died or lost the database): each goes back to the queue while
     * it has been started fewer than {@code maxAttempts} times, else ends {@code interrupted}. Returns how many
     * were touched.
     */
    public int recoverExpired(Instant now, int maxAttempts) {
        int requeued = jdbc.update("update import_job set state = ?, lease_owner = null, lease_until = null, bytes = 0, "
                        + "updated_at = ? where state = ? and lease_until < ? and attempts < ? and cancel_requested = false",
                ImportState.QUEUED.word(), SqlTime.time(now), ImportState.RUNNING.word(), SqlTime.time(now),
                maxAttempts);
        int ended = jdbc.update("update import_job set state = ?, reason = ?, detail = ?, lease_owner = null, "
                        + "lease_until = null, link_password = null, updated_at = ?, finished_at = ? where state = ? and lease_until < ?",
                ImportState.FAILED.word(), ImportReason.INTERRUPTED.word(),
                "The node running this import stopped; nothing was written. Start the import again.",
                SqlTime.time(now), SqlTime.time(now), ImportState.RUNNING.word(), SqlTime.time(now));
        return requeued + ended;
    }

    /** Finished jobs older than {@code before} are removed. */
    public int purgeFinished(Instant before) {
        return jdbc.update("delete from import_job where finished_at is not null and finished_at < ?",
                SqlTime.time(before));
    }

    private static String cut(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 997) + "...";
    }
}
