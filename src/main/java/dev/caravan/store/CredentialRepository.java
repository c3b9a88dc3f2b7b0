package dev.caravan.store;

import dev.caravan.core.WorkspaceScopes;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@Repository
public class CredentialRepository {
    private static final RowMapper<CredentialRecord> ROW = (rs, i) -> new CredentialRecord(rs.getString("id"),
            rs.getString("endpoint_name"), rs.getString("name"), rs.getString("token_hash"),
            instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("last_used_at")),
            instant(rs.getTimestamp("expires_at")), scopes(rs.getString("workspace_scopes"), rs.getString("operation_scopes")));

    private final JdbcTemplate jdbc;

    public CredentialRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(CredentialRecord c) {
        boolean all = c.scopes().equals(WorkspaceScopes.ALL);
        jdbc.update("insert into credential (id, endpoint_name, name, token_hash, created_at, expires_at, "
                        + "workspace_scopes, operation_scopes) values (?, ?, ?, ?, ?, ?, ?, ?)", c.id(), c.endpoint(),
                c.name(), c.tokenHash(), Timestamp.from(c.createdAt()),
                c.expiresAt() == null ? null : Timestamp.from(c.expiresAt()),
                all ? null : String.join(",", c.scopes().workspaces()),
                all ? null : String.join(",", c.scopes().operationIds()));
    }

    /** Looked up by hash: the token has 256 random bits, so the hash is as unguessable as the token. */
    public Optional<CredentialRecord> findByHash(String tokenHash) {
        return jdbc.query("select * from credential where token_hash = ?", ROW, tokenHash).stream().findFirst();
    }

    public List<CredentialRecord> findByEndpoint(String endpoint) {
        return jdbc.query("select * from credential where endpoint_name = ? order by created_at", ROW, endpoint);
    }

    /** Ends every credential of the endpoint that would outlive {@code at}. */
    public int expireAll(String endpoint, Instant at) {
        return jdbc.update("update credential set expires_at = ? where endpoint_name = ? "
                + "and (expires_at is null or expires_at > ?)", Timestamp.from(at), endpoint, Timestamp.from(at));
    }

    /** Ends the endpoint's credentials of this name that would outlive {@code at} (regenerating "default"). */
    public int expireNamed(String endpoint, String name, Instant at) {
        return jdbc.update("update credential set expires_at = ? where endpoint_name = ? and name = ? "
                + "and (expires_at is null or expires_at > ?)", Timestamp.from(at), endpoint, name, Timestamp.from(at));
    }

    /** Removes every credential of this name on the endpoint, whether active or expired. */
    public int deleteNamed(String endpoint, String name) {
        return jdbc.update("delete from credential where endpoint_name = ? and name = ?", endpoint, name);
    }

    public void touch(String id, Instant at) {
        jdbc.update("update credential set last_used_at = ? where id = ?", Timestamp.from(at), id);
    }

    private static WorkspaceScopes scopes(String workspaces, String operations) {
        if (workspaces == null && operations == null) {
            return WorkspaceScopes.ALL;
        }
        return WorkspaceScopes.parse(split(workspaces), split(operations));
    }

    private static List<String> split(String value) {
        return value == null || value.isEmpty() ? null : List.of(value.split(","));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
