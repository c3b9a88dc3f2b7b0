package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Who owns each workspace, who else has full access, and the claim tokens that hand one over. */
@Repository
public class OwnershipRepository {
    /** A claim token as stored: only its hash. */
    public record Claim(String tokenHash, String workspace, String issuedBy, String forPrincipal, boolean keepAccess,
                        Instant createdAt, Instant expiresAt, Instant usedAt, String usedBy) {
    }

    private final JdbcTemplate jdbc;

    public OwnershipRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> owner(String workspace) {
        return jdbc.queryForList("select owner from workspace_owner where workspace = ?", String.class, workspace)
                .stream().findFirst();
    }

    /** Every owned workspace's owner, by workspace. */
    public Map<String, String> owners() {
        Map<String, String> out = new LinkedHashMap<>();
        jdbc.query("select workspace, owner from workspace_owner order by workspace",
                rs -> {
                    out.put(rs.getString(1), rs.getString(2));
                });
        return out;
    }

    /** Sets (or, with a null owner, removes) the owner. */
    public void setOwner(String workspace, String owner, Instant at) {
        jdbc.update("delete from workspace_owner where workspace = ?", workspace);
        if (owner != null) {
            jdbc.update("insert into workspace_owner (workspace, owner, updated_at) values (?, ?, ?)", workspace, owner,
                    Timestamp.from(at));
        }
    }

    public boolean hasGrant(String workspace, String principal) {
        Integer n = jdbc.queryForObject("select count(*) from workspace_grant where workspace = ? and principal = ?",
                Integer.class, workspace, principal);
        return n != null && n > 0;
    }

    public List<String> grants(String workspace) {
        return jdbc.queryForList("select principal from workspace_grant where workspace = ? order by principal",
                String.class, workspace);
    }

    public void grant(String workspace, String principal, String grantedBy, Instant at) {
        if (!hasGrant(workspace, principal)) {
            jdbc.update("insert into workspace_grant (workspace, principal, granted_at, granted_by) values (?, ?, ?, ?)",
                    workspace, principal, Timestamp.from(at), grantedBy);
        }
    }

    public void revokeGrant(String workspace, String principal) {
        jdbc.update("delete from workspace_grant where workspace = ? and principal = ?", workspace, principal);
    }

    public void insertClaim(Claim c) {
        jdbc.update("insert into workspace_claim (token_hash, workspace, issued_by, for_principal, keep_access, "
                        + "created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)", c.tokenHash(), c.workspace(),
                c.issuedBy(), c.forPrincipal(), c.keepAccess(), Timestamp.from(c.createdAt()),
                Timestamp.from(c.expiresAt()));
    }

    /** Looked up by hash: the token has 256 random bits, so the hash is as unguessable as the token. */
    public Optional<Claim> findClaim(String tokenHash) {
        return jdbc.query("select * from workspace_claim where token_hash = ?", (rs, i) -> new Claim(
                rs.getString("token_hash"), rs.getString("workspace"), rs.getString("issued_by"),
                rs.getString("for_principal"), rs.getBoolean("keep_access"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("expires_at")), instant(rs.getTimestamp("used_at")),
                rs.getString("used_by")), tokenHash).stream().findFirst();
    }

    /**
     * Marks the claim used, if it still is unused and unexpired: exactly one of several racing redeemers (on any
     * node) gets true.
     */
    public boolean redeem(String tokenHash, String by, Instant at) {
        return jdbc.update("update workspace_claim set used_at = ?, used_by = ? where token_hash = ? "
                + "and used_at is null and expires_at > ?", Timestamp.from(at), by, tokenHash, Timestamp.from(at)) == 1;
    }

    /** Voids the workspace's unused claims (its owner changed, or it is gone). */
    public int voidClaims(String workspace) {
        return jdbc.update("delete from workspace_claim where workspace = ? and used_at is null", workspace);
    }

    /** Everything recorded about the workspace: owner, grants, claims. */
    public void forget(String workspace) {
        jdbc.update("delete from workspace_owner where workspace = ?", workspace);
        jdbc.update("delete from workspace_grant where workspace = ?", workspace);
        jdbc.update("delete from workspace_claim where workspace = ?", workspace);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
