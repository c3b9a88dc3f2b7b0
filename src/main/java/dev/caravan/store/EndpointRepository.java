package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

@Repository
public class EndpointRepository {
    private static final RowMapper<EndpointRecord> ROW = (rs, i) -> new EndpointRecord(rs.getString("name"),
            Arrays.asList(rs.getString("tools").split(",")), rs.getBoolean("enabled"),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());

    private final JdbcTemplate jdbc;

    public EndpointRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<EndpointRecord> findAll() {
        return jdbc.query("select * from endpoint order by name", ROW);
    }

    public Optional<EndpointRecord> find(String name) {
        return jdbc.query("select * from endpoint where name = ?", ROW, name).stream().findFirst();
    }

    public void insert(EndpointRecord e) {
        jdbc.update("insert into endpoint (name, tools, enabled, created_at, updated_at) values (?, ?, ?, ?, ?)",
                e.name(), String.join(",", e.tools()), e.enabled(), Timestamp.from(e.createdAt()),
                Timestamp.from(e.updatedAt()));
    }

    public void update(EndpointRecord e) {
        jdbc.update("update endpoint set tools = ?, enabled = ?, updated_at = ? where name = ?",
                String.join(",", e.tools()), e.enabled(), Timestamp.from(e.updatedAt()), e.name());
    }

    public boolean delete(String name) {
        return jdbc.update("delete from endpoint where name = ?", name) > 0;
    }
}
