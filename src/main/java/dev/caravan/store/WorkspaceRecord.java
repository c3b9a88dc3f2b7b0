package dev.caravan.store;

import java.time.Instant;

/**
 * A workspace created at runtime. {@code declaration} is JSON shaped like an entry of {@code workspaces.yaml}
 * (secrets only as {@code ${ENV}} references), so it is checked by the same parser.
 */
public record WorkspaceRecord(String name, String declaration, Instant createdAt, String createdBy) {
}
