package dev.caravan.workspace.audit;

import java.time.Instant;

/**
 * Filters of an audit search; null means any. {@code pathPrefix} matches the path or the destination, segment-wise
 * ({@code docs} matches {@code docs} and {@code docs/a.txt}, not {@code docs2}). Results are newest first.
 */
public record AuditQuery(String workspace, String principal, String operation, String pathPrefix, String outcome,
                         Instant since, Instant until, int limit) {
}
