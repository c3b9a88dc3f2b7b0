package dev.caravan.workspace.share;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The {@code workspace_share} table. Every request reads it, so a revocation on one node holds on all at once. */
class ShareRepository {
    private static final RowMapper<ShareRecord> ROW = (rs, i) -> new ShareRecord(rs.getString("id"),
            rs.getString("token_hash"), rs.getString("workspace"), rs.getString("path"), rs.getBoolean("folder"),
            SharePermission.of(rs.getString("permission")), rs.getString("password_hash"),
            (Integer) rs.getObject("max_uses", Integer.class), rs.getInt("uses"), rs.getString("created_by"),
            instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("expires_at")),
            instant(rs.getTimestamp("revoked_at")));

    private final JdbcTemplate jdbc;

    public ShareRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(ShareRecord s) {
        jdbc.update("insert into workspace_share (id, token_hash, workspace, path, folder, permission, password_hash, "
                        + "max_uses, uses, created_by, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                s.id(), s.tokenHash(), s.workspace(), s.path(), s.folder(), s.permission().id(), s.passwordHash(),
                s.maxUses(), s.uses(), s.createdBy(), Timestamp.from(s.createdAt()), Timestamp.from(s.expiresAt()));
    }

    /** Looked up by hash: tokens have 256 random bits, so the hash is as unguessable as the token. */
    public Optional<ShareRecord> findByTokenHash(String tokenHash) {
        return jdbc.query("select * from workspace_share where token_hash = ?", ROW, tokenHash).stream().findFirst();
    }

    public Optional<ShareRecord> find(String workspace, String id) {
        return jdbc.query("select * from workspace_share where id = ? and workspace = ?", ROW, id, workspace).stream()
                .findFirst();
    }

    /** A workspace's shares, newest first. */
    public List<ShareRecord> list(String workspace, int max) {
        return jdbc.query("select * from workspace_share where workspace = ? order by created_at desc, id",
                ROW, workspace).stream().limit(max).toList();
    }

    /** Revokes a live share; false if there is no such share in the workspace or it was revoked already. */
    public boolean revoke(String workspace, String id, Instant at) {
        return jdbc.update("update workspace_share set revoked_at = ? where id = ? and workspace = ? "
                + "and revoked_at is null", Timestamp.from(at), id, workspace) == 1;
    }

    /**
     * Counts one use, atomically in the database: true only if the share was still usable (not revoked, not
     * expired, uses left), so concurrent downloads on several nodes never exceed max_uses.
     */
    public boolean consumeUse(String id, Instant now) {
        return jdbc.update("update workspace_share set uses = uses + 1 where id = ? and revoked_at is null "
                + "and expires_at > ? and (max_uses is null or uses < max_uses)", id, Timestamp.from(now)) == 1;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
