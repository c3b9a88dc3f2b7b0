package dev.caravan.store;

import java.time.Instant;

/** An upstream created through the admin API: its declaration as JSON, literal secrets sealed. */
public record ManagedUpstreamRecord(String name, String declaration, Instant createdAt, Instant updatedAt) {
}
