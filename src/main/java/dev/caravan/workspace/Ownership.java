package dev.caravan.workspace;

import dev.caravan.core.Sha256;
import dev.caravan.store.OwnershipRepository;
import dev.caravan.core.Caller;
import dev.caravan.tool.ToolFailure;
import org.springframework.transaction.support.TransactionTemplate;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who owns each workspace, and handing one over: directly to another principal, or through a single-use claim token
 * (stored hashed, with an expiry, optionally meant for one principal) that the receiver redeems. A principal is
 * {@code endpoint/credential}; a workspace without an owner belongs to the hub's administrator ({@link #ADMIN}).
 * Every change of owner voids the workspace's unused claim tokens. Whether the caller may hand a workspace over is
 * {@link WorkspaceAccess}'s decision (admin operation), asked before these methods.
 */
public class Ownership {
    /** How an unowned workspace's owner is shown: the hub's administrator. */
    public static final String ADMIN = "admin";
    private static final Pattern PRINCIPAL = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}/[a-z0-9][a-z0-9_.-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CLAIM_PREFIX = "cvw_";

    private final OwnershipRepository repository;
    private final TransactionTemplate tx;
    private final Duration maxClaimLifetime;

    public Ownership(OwnershipRepository repository, TransactionTemplate tx, Duration maxClaimLifetime) {
        this.repository = repository;
        this.tx = tx;
        this.maxClaimLifetime = maxClaimLifetime;
    }

    /** The owner principal, or empty when the administrator's. */
    public Optional<String> owner(String workspace) {
        return repository.owner(workspace);
    }

    public Map<String, String> owners() {
        return repository.owners();
    }

    public List<String> grants(String workspace) {
        return repository.grants(workspace);
    }

    /** Owner or grant holder: every operation on the workspace. */
    public boolean hasFullAccess(String principal, String workspace) {
        return principal.equals(repository.owner(workspace).orElse(null)) || repository.hasGrant(workspace, principal);
    }

    /** Sets the owner (null: the administrator's) as the administrator asks; voids unused claims. */
    public void assign(String workspace, String owner) {
        if (owner != null) {
            checkPrincipal(owner);
        }
        tx.executeWithoutResult(s -> {
            repository.setOwner(workspace, owner, Instant.now());
            repository.voidClaims(workspace);
        });
    }

    /** Hands the workspace to {@code to} now; the previous owner keeps full access (a grant) if asked. */
    public String transfer(String workspace, Caller by, String to, boolean keepAccess) {
        checkPrincipal(to);
        return tx.execute(s -> {
            Optional<String> previous = repository.owner(workspace);
            if (previous.isPresent() && previous.get().equals(to)) {
                throw new ToolFailure("'" + to + "' owns workspace '" + workspace + "' already.");
            }
            handOver(workspace, previous.orElse(null), to, keepAccess, by.principal());
            return "Workspace '" + workspace + "' now belongs to " + to + "." + (keepAccess && previous.isPresent()
                    ? " " + previous.get() + " keeps full access." : "");
        });
    }

    /**
     * Issues a single-use claim token for the workspace; returns it (it is not kept, only its hash).
     *
     * @param forPrincipal when given, only this principal may redeem it
     */
    public String issueClaim(String workspace, Caller by, String forPrincipal, Duration lifetime, boolean keepAccess) {
        if (forPrincipal != null) {
            checkPrincipal(forPrincipal);
        }
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(maxClaimLifetime) > 0) {
            throw new ToolFailure("A claim token must expire within " + maxClaimLifetime.toMinutes() + " minutes.");
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = CLAIM_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = Instant.now();
        repository.insertClaim(new OwnershipRepository.Claim(Sha256.hex(token), workspace, by.principal(),
                forPrincipal, keepAccess, now, now.plus(lifetime), null, null));
        return token;
    }

    /** Redeems a claim token for the caller; returns the workspace it now owns. */
    public String claim(String token, Caller by) {
        if (by.endpoint() == null) {
            throw new ToolFailure("Claiming a workspace needs a credential: call workspace_claim through an endpoint.");
        }
        if (token == null || token.isBlank() || token.length() > 200) {
            throw new ToolFailure("Give the claim token you were sent (it starts with " + CLAIM_PREFIX + ").");
        }
        String hash = Sha256.hex(token.strip());
        Instant now = Instant.now();
        OwnershipRepository.Claim claim = repository.findClaim(hash).orElseThrow(() -> new ToolFailure(
                "This claim token is not valid: it is unknown, or the workspace changed hands since it was issued. "
                        + "Ask the owner for a new one."));
        if (claim.usedAt() != null) {
            throw new ToolFailure("This claim token was used already; a claim token works once. Ask the owner for a new one.");
        }
        if (!claim.expiresAt().isAfter(now)) {
            throw new ToolFailure("This claim token expired at " + claim.expiresAt() + ". Ask the owner for a new one.");
        }
        if (claim.forPrincipal() != null && !claim.forPrincipal().equals(by.principal())) {
            throw new ToolFailure("This claim token is meant for another principal, not " + by.principal() + ".");
        }
        return tx.execute(s -> {
            if (!repository.redeem(hash, by.principal(), now)) {
                throw new ToolFailure("This claim token was used already; a claim token works once.");
            }
            String previous = repository.owner(claim.workspace()).orElse(null);
            handOver(claim.workspace(), previous, by.principal(), claim.keepAccess(), claim.issuedBy());
            return claim.workspace();
        });
    }

    /** Forgets the workspace's owner, grants and claims (it was deleted). */
    public void forget(String workspace) {
        tx.executeWithoutResult(s -> repository.forget(workspace));
    }

    private void handOver(String workspace, String previous, String to, boolean keepAccess, String by) {
        Instant now = Instant.now();
        repository.setOwner(workspace, to, now);
        repository.revokeGrant(workspace, to); // the owner needs none
        repository.voidClaims(workspace);
        if (keepAccess && previous != null && !previous.equals(to)) {
            repository.grant(workspace, previous, by, now);
        }
    }

    private static void checkPrincipal(String principal) {
        if (principal == null || !PRINCIPAL.matcher(principal).matches()) {
            throw new ToolFailure("'" + principal + "' is not a principal: write it as endpoint/credential, e.g. "
                    + "sales/default or sales/ci-bot.");
        }
    }

}
