package dev.caravan.upstream.oauth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.TokenCipher;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code upstream_token} table (V30): one sealed {@link StoredGrant} per upstream, tied to the upstream's URL
 * (a grant for another server is never sent: when the URL changes, the old row is ignored and replaced).
 */
class TokenStore implements GrantStore {
    private static final Logger log = LoggerFactory.getLogger(TokenStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final JdbcTemplate jdbc;
    private final Supplier<TokenCipher> cipher;

    /** @param key read (or generated) on first use, so a Caravan without OAuth upstreams writes no key file */
    TokenStore(JdbcTemplate jdbc, Supplier<TokenCipher> key) {
        this.jdbc = jdbc;
        this.cipher = TokenCipher.onFirstUse(key);
    }

    @Override
    public StoredGrant load(String upstream, String serverUrl) {
        List<String> rows = jdbc.query("select sealed from upstream_token where upstream = ? and server_url = ?",
                (rs, i) -> rs.getString(1), upstream, serverUrl);
        if (rows.isEmpty()) {
            return null;
        }
        try {
            return JSON.readValue(cipher.get().open(rows.get(0), upstream), StoredGrant.class);
        } catch (TokenCipher.Unreadable | IOException e) {
            log.warn("Ignoring the stored OAuth grant of upstream {}: {}", upstream, e.getMessage());
            return null;
        }
    }

    @Override
    public synchronized void save(String upstream, String serverUrl, StoredGrant grant) {
        String sealed;
        try {
            sealed = cipher.get().seal(JSON.writeValueAsString(grant), upstream);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Timestamp now = Timestamp.from(Instant.now());
        if (jdbc.update("update upstream_token set server_url = ?, sealed = ?, updated_at = ? where upstream = ?",
                serverUrl, sealed, now, upstream) == 0) {
            jdbc.update("insert into upstream_token (upstream, server_url, sealed, updated_at) values (?, ?, ?, ?)",
                    upstream, serverUrl, sealed, now);
        }
    }

    @Override
    public void delete(String upstream) {
        jdbc.update("delete from upstream_token where upstream = ?", upstream);
    }

    /** The raw sealed value (tests check that no token is readable in the database). */
    String sealed(String upstream) {
        return jdbc.query("select sealed from upstream_token where upstream = ?", (rs, i) -> rs.getString(1), upstream)
                .stream().findFirst().orElse(null);
    }
}
