package dev.caravan.workspace.lock;

import dev.caravan.workspace.storage.WorkspacePath;
import org.springframework.dao.DuplicateKeyException;
import dev.caravan.core.Sha256;
import dev.caravan.store.SqlTime;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The lock rows and the per-workspace guard rows (tables workspace_lock, workspace_lock_guard). */
class LockRepository {
    private static final RowMapper<WorkspaceLock> ROW = (rs, i) -> new WorkspaceLock(rs.getString("id"),
            rs.getString("workspace"), rs.getString("path"), LockMode.valueOf(rs.getString("mode")),
            rs.getString("holder"), SqlTime.instant(rs, "acquired_at"),
            SqlTime.instant(rs, "expires_at"));

    private static final RowMapper<Held> HELD = (rs, i) -> new Held(ROW.mapRow(rs, i), rs.getString("token_hash"));

    /** A live lock with the hash of its token, for matching presented tokens. */
    public record Held(WorkspaceLock lock, String tokenHash) {
    }

    /** How long taking the guard row for an acquire may wait behind writes in progress before it gives up. */
    static final int GUARD_WAIT_SECONDS = 10;

    private final JdbcTemplate jdbc;
    private final JdbcTemplate guardJdbc;
    private final boolean postgres;

    public LockRepository(JdbcTemplate jdbc) {
        this(jdbc, GUARD_WAIT_SECONDS);
    }

    LockRepository(JdbcTemplate jdbc, int guardWaitSeconds) {
        this.jdbc = jdbc;
        // A statement timeout, not SET LOCAL lock_timeout: no extra round trip, and the same on H2 and PostgreSQL.
        this.guardJdbc = new JdbcTemplate(jdbc.getDataSource());
        this.guardJdbc.setQueryTimeout(guardWaitSeconds);
        String product = jdbc.execute((ConnectionCallback<String>) c ->
                c.getMetaData().getDatabaseProductName());
        this.postgres = "PostgreSQL".equalsIgnoreCase(product);
    }

    /** PostgreSQL (shared by nodes, has FOR SHARE) rather than H2 (embedded, one process). */
    public boolean postgres() {
        return postgres;
    }

    /** Creates the workspace's guard row unless it exists (a concurrent creation elsewhere is fine). */
    public void ensureGuard(String workspace) {
        try {
            jdbc.update("insert into workspace_lock_guard (workspace) select ? where not exists "
                    + "(select 1 from workspace_lock_guard where workspace = ?)", workspace, workspace);
        } catch (DuplicateKeyException raced) {
            // another node (or thread) created it between our check and insert
        }
    }

    /** Takes the guard row for update: conflicting acquires on every node queue here. Inside a transaction. */
    public void lockGuard(String workspace) {
        guardJdbc.queryForList("select workspace from workspace_lock_guard where workspace = ? for update", String.class,
                workspace);
    }

    /** Takes the guard row for share (PostgreSQL): writers coexist, an acquire waits for them. Inside a transaction. */
    public void shareGuard(String workspace) {
        jdbc.queryForList("select workspace from workspace_lock_guard where workspace = ? for share", String.class,
                workspace);
    }

    /**
     * Takes a transaction-scoped PostgreSQL advisory lock per (workspace, path), in key order so that two writes
     * of the same paths cannot deadlock: a conditional write on another node waits here until this transaction
     * (which spans the write) ends. Waits at most the guard timeout. Inside a transaction.
     */
    public void lockPaths(String workspace, List<WorkspacePath> paths) {
        long[] keys = paths.stream().mapToLong(p -> pathKey(workspace, p)).distinct().sorted().toArray();
        for (long key : keys) {
            guardJdbc.queryForList("select pg_advisory_xact_lock(?)", Object.class, key);
        }
    }

    /** The same 64-bit key on every node: the first bytes of SHA-256 over workspace and path. */
    static long pathKey(String workspace, WorkspacePath path) {
        return Sha256.first64Bits("caravan-path\0" + workspace + "\0" + path);
    }

    /** Live locks in the workspace whose path is {@code path}, one of its ancestors, or under it. */
    public List<Held> overlapping(String workspace, WorkspacePath path, Instant now) {
        if (path.isRoot()) {
            return jdbc.query("select * from workspace_lock where workspace = ? and expires_at > ? order by path, "
                    + "acquired_at", HELD, workspace, SqlTime.time(now));
        }
        List<Object> args = new ArrayList<>(List.of(workspace, SqlTime.time(now)));
        StringBuilder in = new StringBuilder("?");
        args.add(""); // the root
        for (WorkspacePath a : path.ancestors()) {
            in.append(", ?");
            args.add(a.toString());
        }
        in.append(", ?");
        args.add(path.toString());
        args.add(likeEscaped(path.toString()) + "/%");
        return jdbc.query("select * from workspace_lock where workspace = ? and expires_at > ? and (path in (" + in
                + ") or path like ? escape '\\') order by path, acquired_at", HELD, args.toArray());
    }

    public void insert(WorkspaceLock lock, String tokenHash) {
        jdbc.update("insert into workspace_lock (id, workspace, path, mode, token_hash, holder, acquired_at, "
                        + "expires_at) values (?, ?, ?, ?, ?, ?, ?, ?)", lock.id(), lock.workspace(), lock.path(),
                lock.mode().name(), tokenHash, lock.holder(), SqlTime.time(lock.acquiredAt()),
                SqlTime.time(lock.expiresAt()));
    }

    /** The lock with this token hash in the workspace, live or not. */
    public Optional<WorkspaceLock> findByToken(String workspace, String tokenHash) {
        return jdbc.query("select * from workspace_lock where token_hash = ? and workspace = ?", ROW, tokenHash,
                workspace).stream().findFirst();
    }

    /** Moves a live lock's expiry; false when it is gone or already expired. */
    public boolean renew(String workspace, String tokenHash, Instant expiresAt, Instant now) {
        return jdbc.update("update workspace_lock set expires_at = ? where token_hash = ? and workspace = ? "
                + "and expires_at > ?", SqlTime.time(expiresAt), tokenHash, workspace, SqlTime.time(now)) > 0;
    }

    /** Deletes the lock with this token hash and returns it, in one statement (so two releases cannot both win). */
    public Optional<WorkspaceLock> delete(String workspace, String tokenHash) {
        String delete = "delete from workspace_lock where token_hash = ? and workspace = ?";
        String sql = postgres ? delete + " returning *" : "select * from old table (" + delete + ")";
        return jdbc.query(sql, ROW, tokenHash, workspace).stream().findFirst();
    }

    /** Deletes the locks of every workspace that expired before {@code before}. */
    public int purgeExpired(Instant before) {
        return jdbc.update("delete from workspace_lock where expires_at < ?", SqlTime.time(before));
    }

    private static String likeEscaped(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
