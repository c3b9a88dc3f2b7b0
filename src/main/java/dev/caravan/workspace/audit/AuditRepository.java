package dev.caravan.workspace.audit;

import dev.caravan.store.SqlTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The audit rows (table workspace_audit). */
class AuditRepository {
    private static final RowMapper<AuditEvent> ROW = (rs, i) -> new AuditEvent(rs.getLong("id"),
            SqlTime.instant(rs, "at"), rs.getString("principal"), rs.getString("endpoint"),
            rs.getString("workspace"), rs.getString("operation"), rs.getString("path"), rs.getString("destination"),
            rs.getString("outcome"), rs.getString("detail"), rs.getLong("bytes"), rs.getLong("duration_ms"));

    private final JdbcTemplate jdbc;

    public AuditRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the events in one JDBC batch. */
    public void insert(List<AuditEvent> events) {
        jdbc.batchUpdate("insert into workspace_audit (at, principal, endpoint, workspace, operation, path, "
                + "destination, outcome, detail, bytes, duration_ms) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events,
                events.size(), (ps, e) -> {
                    ps.setObject(1, SqlTime.time(e.at()));
                    ps.setString(2, e.principal());
                    setNullable(ps, 3, e.endpoint());
                    setNullable(ps, 4, e.workspace());
                    ps.setString(5, e.operation());
                    setNullable(ps, 6, e.path());
                    setNullable(ps, 7, e.destination());
                    ps.setString(8, e.outcome());
                    setNullable(ps, 9, e.detail());
                    ps.setLong(10, e.bytes());
                    ps.setInt(11, (int) Math.min(Integer.MAX_VALUE, e.durationMs()));
                });
    }

    public List<AuditEvent> search(AuditQuery q) {
        StringBuilder sql = new StringBuilder("select * from workspace_audit where 1 = 1");
        List<Object> args = new ArrayList<>();
        equal(sql, args, "workspace", q.workspace());
        equal(sql, args, "principal", q.principal());
        equal(sql, args, "operation", q.operation());
        equal(sql, args, "outcome", q.outcome());
        if (q.pathPrefix() != null && !q.pathPrefix().isEmpty()) {
            String p = q.pathPrefix();
            String under = escapeLike(p) + "/%";
            sql.append(" and (path = ? or path like ? escape '\\' or destination = ? or destination like ? escape '\\')");
            args.add(p);
            args.add(under);
            args.add(p);
            args.add(under);
        }
        if (q.since() != null) {
            sql.append(" and at >= ?");
            args.add(SqlTime.time(q.since()));
        }
        if (q.until() != null) {
            sql.append(" and at < ?");
            args.add(SqlTime.time(q.until()));
        }
        sql.append(" order by at desc, id desc limit ?");
        args.add(q.limit());
        return jdbc.query(sql.toString(), ROW, args.toArray());
    }

    /** Deletes the records older than {@code before}; returns how many. */
    public int purgeBefore(Instant before) {
        return jdbc.update("delete from workspace_audit where at < ?", SqlTime.time(before));
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null && !value.isBlank()) {
            sql.append(" and ").append(column).append(" = ?");
            args.add(value.strip());
        }
    }

    private static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
