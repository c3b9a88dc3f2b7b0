package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/** Workspaces created at runtime (the admin API, the workspace_create tool). */
@Repository
public class WorkspaceRepository {
    private static final RowMapper<WorkspaceRecord> ROW = (rs, i) -> new WorkspaceRecord(rs.getString("name"),
            rs.getString("declaration"), rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"));

    private final JdbcTemplate jdbc;

    public WorkspaceRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<WorkspaceRecord> findAll() {
        return jdbc.query("select * from workspace order by created_at, name", ROW);
    }

    public Optional<WorkspaceRecord> find(String name) {
        return jdbc.query("select * from workspace where name = ?", ROW, name).stream().findFirst();
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the name is taken */
    public void insert(WorkspaceRecord w) {
        jdbc.update("insert into workspace (name, declaration, created_at, created_by) values (?, ?, ?, ?)",
                w.name(), w.declaration(), Timestamp.from(w.createdAt()), w.createdBy());
    }

    public int countCreatedBy(String principal) {
        Integer n = jdbc.queryForObject("select count(*) from workspace where created_by = ?", Integer.class, principal);
        return n == null ? 0 : n;
    }

    public boolean delete(String name) {
        return jdbc.update("delete from workspace where name = ?", name) > 0;
    }
}
