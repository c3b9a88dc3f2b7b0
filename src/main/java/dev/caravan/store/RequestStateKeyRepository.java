package dev.caravan.store;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.function.Supplier;

/** The {@code request_state_key} table (V40): one shared secret, base64. */
@Repository
public class RequestStateKeyRepository {
    private final JdbcTemplate jdbc;

    public RequestStateKeyRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The stored key; when there is none, stores {@code generated}'s. Two nodes starting at once agree. */
    public String findOrCreate(Supplier<String> generated) {
        String stored = find();
        if (stored != null) {
            return stored;
        }
        try {
            jdbc.update("insert into request_state_key (id, secret, created_at) values (1, ?, ?)",
                    generated.get(), Timestamp.from(Instant.now()));
        } catch (DuplicateKeyException anotherNodeWon) {
            // read theirs below
        }
        return find();
    }

    private String find() {
        return jdbc.query("select secret from request_state_key where id = 1", (rs, i) -> rs.getString(1))
                .stream().findFirst().orElse(null);
    }
}
