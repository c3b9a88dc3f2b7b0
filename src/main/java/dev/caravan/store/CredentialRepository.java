package dev.caravan.store;

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
            instant(rs.getTimestamp("expires_at")));

    private final JdbcTemplate jdbc;

    public CredentialRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(CredentialRecord c) {
        jdbc.update("insert into credential (id, endpoint_name, name, token_hash, created_at, expires_at) "
                        + "values (?, ?, ?, ?, ?, ?)", c.id(), c.endpoint(), c.name(), c.tokenHash(),
                Timestamp.from(c.createdAt()), c.expiresAt() == null ? null : Timestamp.from(c.expiresAt()));
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

    public void touch(String id, Instant at) {
        jdbc.update("update credential set last_used_at = ? where id = ?", Timestamp.from(at), id);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
