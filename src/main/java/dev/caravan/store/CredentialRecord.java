package dev.caravan.store;

import java.time.Instant;

/** A secret that opens one endpoint; only its hash is kept. Expired credentials stay on record. */
public record CredentialRecord(String id, String endpoint, String name, String tokenHash, Instant createdAt,
                               Instant lastUsedAt, Instant expiresAt) {
    public boolean activeAt(Instant now) {
        return expiresAt == null || expiresAt.isAfter(now);
    }
}
