package dev.caravan.ops;

import dev.caravan.imports.ImportJobs;
import dev.caravan.imports.ImportState;
import dev.caravan.knowledge.DocumentState;
import dev.caravan.knowledge.KnowledgeService;
import dev.caravan.server.CallRegistry;
import dev.caravan.upstream.UpstreamStatus;
import dev.caravan.upstream.Upstreams;
import dev.caravan.workspace.audit.AuditTrail;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Caravan's own meters, read from the rooms' faces: tool calls (told by the call registry's listener), requests in
 * flight and held-open streams per endpoint, upstream states and relayed calls, workspace operations and bytes (told by
 * the audit trail), audit records dropped, and the import and ingestion queues (read from the shared database, so
 * every node reports the cluster's figures). Tags come from names the operator chose (tools, endpoints,
 * upstreams), never from what a client sends: a call to an unknown tool is not recorded.
 */
final class CaravanMetrics implements MeterBinder {
    /** Every state an upstream can be in (UpstreamStatus), so the gauges are a fixed set. */
    private static final List<String> UPSTREAM_STATES = List.of("online", "connecting", "error", "disabled",
            "needs-authorization");

    private final CallRegistry calls;
    private final Upstreams upstreams;
    private final AuditTrail audit;
    private final ImportJobs imports;
    private final KnowledgeService knowledge;

    CaravanMetrics(CallRegistry calls, Upstreams upstreams, AuditTrail audit, ImportJobs imports,
                   KnowledgeService knowledge) {
        this.calls = calls;
        this.upstreams = upstreams;
        this.audit = audit;
        this.imports = imports;
        this.knowledge = knowledge;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        calls.onToolCall((endpoint, tool, outcome, nanos) -> Timer.builder("caravan.tool.calls")
                .description("MCP tool calls, by tool, endpoint and outcome")
                .tags("tool", tool, "endpoint", endpoint, "outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS));
        Gauge.builder("caravan.mcp.requests.active", calls, CallRegistry::requestsInFlight)
                .description("MCP requests being served now (held-open streams not counted)")
                .register(registry);
        // One gauge per endpoint, from its first held-open response on (endpoint names are the operator's).
        calls.onStreamOpened(endpoint -> Gauge.builder("caravan.mcp.streams.active", calls,
                        c -> c.openStreams(endpoint))
                .description("Held-open MCP responses on this node (event streams, long calls), by endpoint")
                .tag("endpoint", endpoint).register(registry));
        if (imports != null) {
            for (ImportState state : List.of(ImportState.QUEUED, ImportState.RUNNING)) {
                Gauge.builder("caravan.imports.jobs", imports, i -> i.count(state))
                        .description("URL import jobs waiting or running, across all nodes")
                        .tag("state", state.word()).register(registry);
            }
        }
        if (knowledge != null) {
            for (String state : List.of(DocumentState.QUEUED, DocumentState.EXTRACTING, DocumentState.EMBEDDING,
                    DocumentState.INDEXED, DocumentState.FAILED, DocumentState.SKIPPED)) {
                Gauge.builder("caravan.knowledge.documents", knowledge, k -> k.documentsIn(state))
                        .description("Knowledge-base documents in each ingestion state, across all nodes")
                        .tag("state", state).register(registry);
            }
        }
        if (upstreams != null) {
            for (String state : UPSTREAM_STATES) {
                Gauge.builder("caravan.upstreams", upstreams, u -> count(u, state))
                        .description("Upstream MCP servers in each state").tag("state", state).register(registry);
            }
        }
        if (upstreams != null) {
            upstreams.onCall((upstream, outcome, nanos) -> Timer.builder("caravan.upstream.calls")
                    .description("Tool calls relayed to upstream MCP servers, by upstream and outcome")
                    .tags("upstream", upstream, "outcome", outcome)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry)
                    .record(nanos, TimeUnit.NANOSECONDS));
        }
        if (audit != null) {
            // Every workspace operation passes the audit step, which knows its name, outcome and bytes.
            audit.addListener(event -> {
                Counter.builder("caravan.workspace.operations")
                        .description("Workspace operations (MCP tools and the file API), by operation and outcome")
                        .tags("operation", event.operation(), "outcome", event.outcome())
                        .register(registry).increment();
                if (event.bytes() > 0) {
                    Counter.builder("caravan.workspace.bytes").baseUnit("bytes")
                            .description("Bytes read or written by workspace operations, by operation")
                            .tag("operation", event.operation())
                            .register(registry).increment(event.bytes());
                }
            });
            FunctionCounter.builder("caravan.audit.dropped", audit, AuditTrail::dropped)
                    .description("Audit records dropped (queue full, database refused, or after close)")
                    .register(registry);
        }
    }

    private static double count(Upstreams upstreams, String state) {
        return upstreams.statuses().stream().map(UpstreamStatus::state).filter(state::equals).count();
    }
}
