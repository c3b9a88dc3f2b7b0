package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/** The {@code managed_upstream} table (V31). */
@Repository
public class ManagedUpstreamRepository {
    private static final RowMapper<ManagedUpstreamRecord> ROW = (rs, i) -> new ManagedUpstreamRecord(
            rs.getString("name"), rs.getString("declaration"), rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant());

    private final JdbcTemplate jdbc;

    public ManagedUpstreamRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<ManagedUpstreamRecord> findAll() {
        return jdbc.query("select * from managed_upstream order by name", ROW);
    }

    public Optional<ManagedUpstreamRecord> find(String name) {
        return jdbc.query("select * from managed_upstream where name = ?", ROW, name).stream().findFirst();
    }

    /** Throws {@link org.springframework.dao.DuplicateKeyException} when the name is taken (another node won). */
    public void insert(ManagedUpstreamRecord r) {
        jdbc.update("insert into managed_upstream (name, declaration, created_at, updated_at) values (?, ?, ?, ?)",
                r.name(), r.declaration(), Timestamp.from(r.createdAt()), Timestamp.from(r.updatedAt()));
    }

    /** False when no such row exists (deleted meanwhile). */
    public boolean update(ManagedUpstreamRecord r) {
        return jdbc.update("update managed_upstream set declaration = ?, updated_at = ? where name = ?",
                r.declaration(), Timestamp.from(r.updatedAt()), r.name()) > 0;
    }

    public boolean delete(String name) {
        return jdbc.update("delete from managed_upstream where name = ?", name) > 0;
    }
}
