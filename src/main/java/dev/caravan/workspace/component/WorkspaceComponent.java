package dev.caravan.workspace.component;

import dev.caravan.tool.RouteDefinitionException;
import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.workspace.UnattendedAccess;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.Workspaces;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code workspace:NAME?operation=OP[&workspaceHeader=HEADER]} runs a file operation on workspace NAME.
 * <ul>
 * <li>Operations are named as the MCP file tools: {@code read_text_file}, {@code write_file}, {@code edit_file},
 * {@code list_versions}, ... ({@code list_workspaces} ignores NAME).</li>
 * <li>Arguments are read from headers named as the tools' arguments ({@code path}, {@code content},
 * {@code head}, ...), which is what an {@code ai-tool} route's declared parameters become.</li>
 * <li>With {@code workspaceHeader}, the workspace is taken from that header when it is set (e.g. a tool's
 * {@code workspace} argument), and NAME is the default.</li>
 * <li>The result is the body: text, or bytes with header {@code CaravanMimeType} for read_media_file. Headers
 * {@code CaravanWorkspaceEtag}, {@code CaravanWorkspaceLines}, {@code CaravanWorkspaceTotalLines},
 * {@code CaravanWorkspaceFinalNewline}, {@code CaravanWorkspaceSummary} carry details, and {@code CaravanWorkspaceStructured}
 * a text result as {@code {content: text}}, the structured content the reference filesystem server returns.</li>
 * <li>Failures (not found, path refused, etag mismatch, ...) are {@code ToolFailure}s whose message is meant for the
 * agent; they never name anything outside the workspace.</li>
 * </ul>
 * Scopes, locks and the audit trail act in {@link FileOperations#run}, by what each {@link WorkspaceOperation}
 * declares: first {@link WorkspaceAccess#check} with its scope, then mutations pass the {@code LockGuard} on the
 * paths it changes (a {@code lockToken} header presents lock tokens), and every operation, refused ones included, is
 * recorded with the caller from the exchange's {@code CallContext}. An exchange without one (a timer route) acts as
 * the caller configured for unattended routes ({@link UnattendedAccess}).
 */
public class WorkspaceComponent extends DefaultComponent {
    /** A text result as {@code {content: text}}, for {@code ai-result:structured}. */
    static final String STRUCTURED = "CaravanWorkspaceStructured";

    private final FileOperations operations;
    private final WorkspaceAdminOperations admin;
    private final Workspaces workspaces;
    private final UnattendedAccess unattended;

    /** Without the database (component tests): scopes are still checked. */
    public WorkspaceComponent(Workspaces workspaces, long maxReadBytes, int maxEntries, Duration walkTimeLimit) {
        this(workspaces, maxReadBytes, maxEntries, walkTimeLimit, WorkspaceServices.NONE);
    }

    public WorkspaceComponent(Workspaces workspaces, long maxReadBytes, int maxEntries, Duration walkTimeLimit,
                              WorkspaceServices services) {
        this.operations = new FileOperations(workspaces, new FileOperations.Limits(maxReadBytes, maxEntries,
                walkTimeLimit), services);
        this.admin = new WorkspaceAdminOperations(workspaces, services.access(), services.ownership(),
                services.runtime());
        this.workspaces = workspaces;
        this.unattended = services.unattended();
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String operationName = getAndRemoveParameter(parameters, "operation", String.class);
        String workspaceHeader = getAndRemoveParameter(parameters, "workspaceHeader", String.class);
        if (operationName == null || operationName.isBlank()) {
            throw new RouteDefinitionException(uri + ": the operation option is required, e.g. workspace:default"
                    + "?operation=read_text_file");
        }
        WorkspaceOperation operation = WorkspaceOperation.of(operationName);
        WorkspaceAdminOperations.Operation adminOperation = WorkspaceAdminOperations.Operation.of(operationName);
        if (operation == null && adminOperation == null) {
            throw new RouteDefinitionException(uri + ": unknown operation '" + operationName + "' (known: "
                    + Stream.concat(Arrays.stream(WorkspaceAdminOperations.Operation.values())
                            .map(WorkspaceAdminOperations.Operation::id), Arrays.stream(WorkspaceOperation.values())
                            .map(WorkspaceOperation::id))
                    .collect(Collectors.joining(", ")) + ")");
        }
        if ((remaining == null || remaining.isBlank()) && (operation != null || adminOperation.namesWorkspace())) {
            throw new RouteDefinitionException(uri + ": name the workspace, e.g. workspace:default?operation="
                    + operationName);
        }
        if (!parameters.isEmpty()) {
            throw new RouteDefinitionException(uri + ": unknown option(s) " + parameters.keySet()
                    + " (workspace: takes operation and workspaceHeader)");
        }
        return new WorkspaceEndpoint(uri, this, remaining, operation, adminOperation, workspaceHeader);
    }

    /** The MCP caller, or for a route no MCP call stands behind, the one configured for unattended routes. */
    private Caller caller(Exchange exchange, String workspace) {
        CallContext call = exchange.getProperty(CallContext.PROPERTY, CallContext.class);
        return call == null || call.caller() == Caller.NONE ? unattended.caller(workspaces, workspace) : call.caller();
    }

    /** A {@code workspace:} endpoint; {@link WorkspaceRouteCheck} reads the scope its operation needs. */
    final class WorkspaceEndpoint extends DefaultEndpoint implements ScopedStep {
        private final String workspace;
        private final WorkspaceOperation operation;
        private final WorkspaceAdminOperations.Operation adminOperation;
        private final String workspaceHeader;

        WorkspaceEndpoint(String uri, WorkspaceComponent component, String workspace,
                          WorkspaceOperation operation, WorkspaceAdminOperations.Operation adminOperation,
                          String workspaceHeader) {
            super(uri, component);
            this.workspace = workspace;
            this.operation = operation;
            this.adminOperation = adminOperation;
            this.workspaceHeader = workspaceHeader;
        }

        /** The scope a tool calling this endpoint must carry as its tag; null when it needs none. */
        @Override
        public WorkspaceScopes.Operation requiredScope() {
            return operation != null ? operation.scope() : adminOperation.scope();
        }

        @Override
        public String operationId() {
            return operation != null ? operation.id() : adminOperation.id();
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    String name = workspace;
                    if (workspaceHeader != null) {
                        String fromHeader = exchange.getMessage().getHeader(workspaceHeader, String.class);
                        if (fromHeader != null && !fromHeader.isBlank()) {
                            name = fromHeader.strip();
                        }
                    }
                    Caller caller = caller(exchange, adminOperation == null || adminOperation.namesWorkspace() ? name : null);
                    if (adminOperation != null) {
                        admin.run(adminOperation, name, caller, exchange.getMessage());
                    } else {
                        operations.run(operation, name, caller, exchange.getMessage());
                    }
                    if (exchange.getMessage().getBody() instanceof String text) {
                        // The reference filesystem server's structuredContent, for a route that declares its outputSchema.
                        exchange.getMessage().setHeader(STRUCTURED, Map.of("content", text));
                    }
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new IllegalArgumentException(getEndpointUri() + " is a route step (to:), not a route start");
        }
    }
}
