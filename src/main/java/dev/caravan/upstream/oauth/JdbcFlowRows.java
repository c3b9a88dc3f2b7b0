package dev.caravan.upstream.oauth;

import dev.caravan.core.TokenCipher;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Flows in the {@code oauth_pending} table (V53), sealed, one {@code kind} per user of it (upstreams, drive
 * accounts) so that their owner names never meet. Taking a state is one conditional update, so a state is used
 * once even when two nodes get the same callback.
 */
final class JdbcFlowRows implements FlowRows {
    private final JdbcTemplate jdbc;
    private final String kind;
    private final Supplier<TokenCipher> cipher;

    JdbcFlowRows(JdbcTemplate jdbc, String kind, Supplier<TokenCipher> key) {
        this.jdbc = jdbc;
        this.kind = kind;
        this.cipher = TokenCipher.onFirstUse(key);
    }

    @Override
    public void put(String stateHash, String owner, String payload, Instant expiresAt, Instant now) {
        jdbc.update("delete from oauth_pending where expires_at < ?", Timestamp.from(now));
        jdbc.update("delete from oauth_pending where kind = ? and owner = ? and used_at is null", kind, owner);
        jdbc.update("insert into oauth_pending (state_hash, kind, owner, sealed, expires_at) values (?, ?, ?, ?, ?)",
                stateHash, kind, owner, cipher.get().seal(payload, context(owner)), Timestamp.from(expiresAt));
    }

    @Override
    public Taken take(String stateHash, Instant now) {
        Timestamp at = Timestamp.from(now);
        if (jdbc.update("update oauth_pending set used_at = ? where state_hash = ? and kind = ? and used_at is null "
                + "and expires_at >= ?", at, stateHash, kind, at) == 1) {
            List<String[]> row = jdbc.query("select owner, sealed from oauth_pending where state_hash = ?",
                    (rs, i) -> new String[] {rs.getString(1), rs.getString(2)}, stateHash);
            return new Taken.Flow(cipher.get().open(row.get(0)[1], context(row.get(0)[0])));
        }
        List<Boolean> used = jdbc.query("select used_at is not null from oauth_pending where state_hash = ? "
                + "and kind = ? and expires_at >= ?", (rs, i) -> rs.getBoolean(1), stateHash, kind, at);
        return used.isEmpty() || !used.get(0) ? new Taken.Missing() : new Taken.Used();
    }

    @Override
    public String open(String owner, Instant now) {
        List<String> rows = jdbc.query("select sealed from oauth_pending where kind = ? and owner = ? "
                + "and used_at is null and expires_at >= ?", (rs, i) -> rs.getString(1), kind, owner,
                Timestamp.from(now));
        return rows.isEmpty() ? null : cipher.get().open(rows.get(0), context(owner));
    }

    @Override
    public void forget(String owner) {
        jdbc.update("delete from oauth_pending where kind = ? and owner = ? and used_at is null", kind, owner);
    }

    private String context(String owner) {
        return "oauth-flow:" + kind + ":" + owner;
    }
}
