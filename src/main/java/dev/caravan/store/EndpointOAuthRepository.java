package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The OAuth policy of each endpoint that has one, as the JSON text the server package reads and writes. */
@Repository
public class EndpointOAuthRepository {
    private final JdbcTemplate jdbc;

    public EndpointOAuthRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> find(String endpoint) {
        return jdbc.queryForList("select policy from endpoint_oauth where endpoint = ?", String.class, endpoint)
                .stream().findFirst();
    }

    public void put(String endpoint, String policy, Instant at) {
        if (jdbc.update("update endpoint_oauth set policy = ?, updated_at = ? where endpoint = ?", policy,
                Timestamp.from(at), endpoint) == 0) {
            jdbc.update("insert into endpoint_oauth (endpoint, policy, updated_at) values (?, ?, ?)", endpoint, policy,
                    Timestamp.from(at));
        }
    }

    public boolean delete(String endpoint) {
        return jdbc.update("delete from endpoint_oauth where endpoint = ?", endpoint) > 0;
    }
}
