package dev.caravan.workspace.component;

import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.audit.AuditEvent;
import dev.caravan.workspace.audit.AuditFilters;
import dev.caravan.workspace.audit.AuditQuery;
import dev.caravan.workspace.audit.AuditTrail;

import java.time.Instant;
import java.util.List;

/** audit_search: the audit trail, newest first, one line per operation. */
final class AuditOperations {
    private final AuditTrail audit;
    private final int maxResults;

    AuditOperations(AuditTrail audit, int maxResults) {
        this.audit = audit;
        this.maxResults = maxResults;
    }

    Object search(Args args) {
        if (audit == null) {
            throw new ToolFailure("The audit trail is not available on this hub.");
        }
        AuditQuery query;
        try {
            Instant now = Instant.now();
            query = new AuditQuery(args.string("workspace"), args.string("principal"), args.string("operation"),
                    AuditFilters.path(args.string("path")), args.string("outcome"),
                    AuditFilters.time("since", args.string("since"), now),
                    AuditFilters.time("until", args.string("until"), now),
                    AuditFilters.limit(args.integer("limit", 1, Integer.MAX_VALUE), maxResults));
        } catch (IllegalArgumentException e) {
            throw new ToolFailure(e.getMessage());
        }
        List<AuditEvent> events = audit.search(query);
        if (events.isEmpty()) {
            return "No audit records match.";
        }
        StringBuilder b = new StringBuilder(events.size() + " record" + (events.size() == 1 ? "" : "s")
                + ", newest first" + (events.size() == query.limit() ? " (limit reached; narrow the filters or "
                + "use until to page back)" : "") + ":\n");
        for (AuditEvent e : events) {
            b.append(e.at()).append("  ").append(e.principal()).append("  ").append(e.operation()).append("  ");
            if (e.workspace() != null) {
                b.append(e.workspace()).append(':');
            }
            b.append(e.path() == null ? "" : e.path().isEmpty() ? "/" : e.path());
            if (e.destination() != null) {
                b.append(" -> ").append(e.destination());
            }
            b.append("  ").append(e.outcome());
            if (e.bytes() > 0) {
                b.append("  ").append(e.bytes()).append(" B");
            }
            b.append("  ").append(e.durationMs()).append(" ms");
            if (e.detail() != null) {
                b.append("  (").append(e.detail()).append(')');
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }
}
