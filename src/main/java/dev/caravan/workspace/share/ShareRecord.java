package dev.caravan.workspace.share;

import java.time.Instant;

/**
 * A share link as stored: never the token itself, only its hash; the password only as a slow hash.
 *
 * @param path     the shared file or folder, canonical workspace path ("" for the root)
 * @param maxUses  null for no limit
 * @param uses     downloads and uploads made so far (listings and HEAD do not count)
 */
public record ShareRecord(String id, String tokenHash, String workspace, String path, boolean folder,
                          SharePermission permission, String passwordHash, Integer maxUses, int uses,
                          String createdBy, Instant createdAt, Instant expiresAt, Instant revokedAt) {

    public enum State { ACTIVE, EXPIRED, REVOKED, USED_UP }

    public State stateAt(Instant now) {
        if (revokedAt != null) {
            return State.REVOKED;
        }
        if (!expiresAt.isAfter(now)) {
            return State.EXPIRED;
        }
        if (maxUses != null && uses >= maxUses) {
            return State.USED_UP;
        }
        return State.ACTIVE;
    }

    public boolean hasPassword() {
        return passwordHash != null;
    }
}
