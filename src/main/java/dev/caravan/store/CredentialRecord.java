package dev.caravan.store;

import dev.caravan.core.WorkspaceScopes;

import java.time.Instant;

/**
 * A secret that opens one endpoint; only its hash is kept. Expired credentials stay on record. Its scopes limit
 * what it may do with workspaces ({@link WorkspaceScopes#ALL} by default); they are fixed once it is created.
 */
public record CredentialRecord(String id, String endpoint, String name, String tokenHash, Instant createdAt,
                               Instant lastUsedAt, Instant expiresAt, WorkspaceScopes scopes) {
    public CredentialRecord {
        scopes = scopes == null ? WorkspaceScopes.ALL : scopes;
    }

    public CredentialRecord(String id, String endpoint, String name, String tokenHash, Instant createdAt,
                            Instant lastUsedAt, Instant expiresAt) {
        this(id, endpoint, name, tokenHash, createdAt, lastUsedAt, expiresAt, WorkspaceScopes.ALL);
    }

    public boolean activeAt(Instant now) {
        return expiresAt == null || expiresAt.isAfter(now);
    }
}
