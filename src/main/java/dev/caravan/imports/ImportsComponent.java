package dev.caravan.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.core.EnumIds;
import dev.caravan.tool.RouteDefinitionException;
import dev.caravan.tool.ToolFailure;
import dev.caravan.core.WorkspaceScopes.Operation;
import dev.caravan.workspace.UnattendedAccess;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.component.ScopedStep;
import dev.caravan.workspace.storage.StorageException;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code imports:OPERATION} with operations {@code import_url}, {@code import_status}, {@code import_list} and
 * {@code import_cancel}; arguments from headers named as the tools' ({@code workspace}, {@code url}, {@code path},
 * {@code provider}, {@code onConflict}, {@code format}, {@code password}, {@code wait}, {@code job}). The result body is the job as JSON text. A job
 * belongs to the principal that started it: others get "no such job".
 */
public class ImportsComponent extends DefaultComponent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_WORKSPACE = "default";

    enum Op {
        IMPORT_URL(Operation.WRITE), IMPORT_STATUS(Operation.READ), IMPORT_LIST(Operation.READ),
        IMPORT_CANCEL(Operation.WRITE);

        final Operation scope;

        Op(Operation scope) {
            this.scope = scope;
        }
    }

    private final ImportJobs jobs;
    private final Workspaces workspaces;
    private final WorkspaceAccess access;
    private final UnattendedAccess unattended;
    private final Duration maxWait;

    public ImportsComponent(ImportJobs jobs, Workspaces workspaces, WorkspaceAccess access,
                            UnattendedAccess unattended, Duration maxWait) {
        this.jobs = jobs;
        this.workspaces = workspaces;
        this.access = access;
        this.unattended = unattended;
        this.maxWait = maxWait;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Op op = RouteDefinitionException.operation(uri, remaining, Op.class);
        if (!parameters.isEmpty()) {
            throw new RouteDefinitionException(uri + ": imports: takes no options " + parameters.keySet());
        }
        return new ImportsEndpoint(uri, this, op);
    }

    final class ImportsEndpoint extends DefaultEndpoint implements ScopedStep {
        private final Op op;

        ImportsEndpoint(String uri, ImportsComponent component, Op op) {
            super(uri, component);
            this.op = op;
        }

        @Override
        public Operation requiredScope() {
            return op.scope;
        }

        @Override
        public String operationId() {
            return EnumIds.id(op);
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    exchange.getMessage().setBody(run(op, exchange));
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new IllegalArgumentException(getEndpointUri() + " is a route step (to:), not a route start");
        }
    }

    private Object run(Op op, Exchange exchange) {
        Message m = exchange.getMessage();
        CallContext call = exchange.getProperty(CallContext.PROPERTY, CallContext.class);
        String workspace = text(m, "workspace");
        workspace = workspace == null || workspace.isBlank() ? DEFAULT_WORKSPACE : workspace.strip();
        Caller caller = call == null || call.caller() == Caller.NONE ? unattended.caller(workspaces, workspace)
                : call.caller();
        try {
            switch (op) {
                case IMPORT_URL -> {
                    workspaces.get(workspace);
                    access.check(caller, workspace, Operation.WRITE);
                    ImportJob job = jobs.submit(new ImportJobs.Request(workspace, text(m, "url"), text(m, "path"),
                            text(m, "provider"), text(m, "onConflict"), text(m, "format"), text(m, "password")),
                            caller.principal(), caller.endpoint());
                    long waitMillis = waitMillis(m);
                    return waitMillis <= 0 ? json(ImportView.of(job)) : waitFor(job, waitMillis, call);
                }
                case IMPORT_STATUS -> {
                    return json(ImportView.of(own(text(m, "job"), caller)));
                }
                case IMPORT_LIST -> {
                    return json(Map.of("jobs", jobs.list(caller.principal(), 100).stream().map(ImportView::of).toList()));
                }
                default -> {
                    ImportJob job = own(text(m, "job"), caller);
                    access.check(caller, job.workspace(), Operation.WRITE);
                    return json(ImportView.of(jobs.cancel(job.id()).orElse(job)));
                }
            }
        } catch (ImportFailure | StorageException f) {
            throw new ToolFailure(f.getMessage() + " Nothing was queued.");
        }
    }

    private ImportJob own(String id, Caller caller) {
        if (id == null || id.isBlank()) {
            throw new ToolFailure("Argument 'job' is required: the id import_url returned (import_list shows them).");
        }
        return jobs.find(id.strip()).filter(j -> j.principal().equals(caller.principal()))
                .orElseThrow(() -> new ToolFailure("There is no import job '" + id.strip() + "' of yours; "
                        + "import_list shows your jobs."));
    }

    /** Waits for the end, sending progress (bytes so far of the total) to a client that asked for it. */
    private Object waitFor(ImportJob submitted, long waitMillis, CallContext call) {
        long end = System.currentTimeMillis() + waitMillis;
        ImportJob job = submitted;
        long reported = -1;
        while (!job.state().terminal() && System.currentTimeMillis() < end
                && (call == null || !call.cancelled().isDone())) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            job = jobs.find(job.id()).orElse(job);
            if (call != null && call.wantsProgress() && job.bytes() != reported && !job.state().terminal()) {
                reported = job.bytes();
                call.progress(job.bytes(), job.total() == null ? null : job.total().doubleValue(),
                        "Imported " + job.bytes() + (job.total() == null ? "" : " of " + job.total()) + " bytes");
            }
        }
        if (job.state() == ImportState.FAILED) {
            throw new ToolFailure("Import " + job.id() + " failed (" + job.reason().word() + "): " + job.detail());
        }
        return json(ImportView.of(job));
    }

    private long waitMillis(Message m) {
        Object v = m.getHeader("wait");
        if (v == null || v instanceof String s && s.isBlank()) {
            return 0;
        }
        double seconds;
        try {
            seconds = new BigDecimal(v.toString().strip()).doubleValue();
        } catch (NumberFormatException e) {
            throw new ToolFailure("Argument 'wait' must be a number of seconds, got '" + v + "'.");
        }
        if (seconds < 0) {
            throw new ToolFailure("Argument 'wait' must not be negative.");
        }
        return (long) Math.min(seconds * 1000, maxWait.toMillis());
    }

    private static String text(Message m, String name) {
        Object v = m.getHeader(name);
        if (v instanceof Map || v instanceof List) {
            throw new ToolFailure("Argument '" + name + "' must be a string.");
        }
        return v == null ? null : v.toString();
    }

    private static String json(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
