package dev.caravan.workspace.component;

import dev.caravan.tool.RouteDefinitionException;
import dev.caravan.tool.CallContext;
import dev.caravan.tool.Caller;
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

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

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
 * {@code CaravanWorkspaceSummary} carry details.</li>
 * <li>Failures (not found, path refused, etag mismatch, ...) are {@code ToolFailure}s whose message is meant for the
 * agent; they never name anything outside the workspace.</li>
 * </ul>
 * Scopes, locks and the audit trail act in {@link FileOperations#run}: first {@link WorkspaceAccess#check} with the
 * scope {@link WorkspaceAccess#scopeOf} names for the operation ({@code lock_*} lock, {@code share_*} share, unknown
 * ones admin), then mutations pass the {@code LockGuard} (a {@code lockToken} header presents lock tokens), and
 * every operation, refused ones included, is recorded with the caller from the exchange's {@code CallContext}.
 */
public class WorkspaceComponent extends DefaultComponent {
    private final FileOperations operations;
    private final WorkspaceAdminOperations admin;

    /** Without the database (component tests): scopes are still checked. */
    public WorkspaceComponent(Workspaces workspaces, long maxReadBytes, int maxEntries, java.time.Duration walkTimeLimit) {
        this(workspaces, maxReadBytes, maxEntries, walkTimeLimit, WorkspaceServices.NONE);
    }

    public WorkspaceComponent(Workspaces workspaces, long maxReadBytes, int maxEntries, java.time.Duration walkTimeLimit,
                              WorkspaceServices services) {
        this.operations = new FileOperations(workspaces, new FileOperations.Limits(maxReadBytes, maxEntries,
                walkTimeLimit), services);
        this.admin = new WorkspaceAdminOperations(workspaces, services.access(), services.ownership(),
                services.runtime());
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String operationName = getAndRemoveParameter(parameters, "operation", String.class);
        String workspaceHeader = getAndRemoveParameter(parameters, "workspaceHeader", String.class);
        if (operationName == null || operationName.isBlank()) {
            throw new RouteDefinitionException(uri + ": the operation option is required, e.g. workspace:default"
                    + "?operation=read_text_file");
        }
        FileOperations.Operation operation = FileOperations.Operation.of(operationName);
        WorkspaceAdminOperations.Operation adminOperation = WorkspaceAdminOperations.Operation.of(operationName);
        if (operation == null && adminOperation == null) {
            throw new RouteDefinitionException(uri + ": unknown operation '" + operationName + "' (known: "
                    + java.util.stream.Stream.concat(Arrays.stream(FileOperations.Operation.values())
                            .map(FileOperations.Operation::id), Arrays.stream(WorkspaceAdminOperations.Operation
                            .values()).map(WorkspaceAdminOperations.Operation::id))
                    .collect(Collectors.joining(", ")) + ")");
        }
        if ((remaining == null || remaining.isBlank()) && operation != FileOperations.Operation.LIST_WORKSPACES
                && adminOperation != WorkspaceAdminOperations.Operation.WORKSPACE_CREATE
                && adminOperation != WorkspaceAdminOperations.Operation.WORKSPACE_CLAIM) {
            throw new RouteDefinitionException(uri + ": name the workspace, e.g. workspace:default?operation="
                    + operationName);
        }
        if (!parameters.isEmpty()) {
            throw new RouteDefinitionException(uri + ": unknown option(s) " + parameters.keySet()
                    + " (workspace: takes operation and workspaceHeader)");
        }
        return new WorkspaceEndpoint(uri, this, remaining, operation, adminOperation, workspaceHeader);
    }

    private final class WorkspaceEndpoint extends DefaultEndpoint {
        private final String workspace;
        private final FileOperations.Operation operation;
        private final WorkspaceAdminOperations.Operation adminOperation;
        private final String workspaceHeader;

        WorkspaceEndpoint(String uri, WorkspaceComponent component, String workspace,
                          FileOperations.Operation operation, WorkspaceAdminOperations.Operation adminOperation,
                          String workspaceHeader) {
            super(uri, component);
            this.workspace = workspace;
            this.operation = operation;
            this.adminOperation = adminOperation;
            this.workspaceHeader = workspaceHeader;
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
                    CallContext call = exchange.getProperty(CallContext.PROPERTY, CallContext.class);
                    Caller caller = call == null ? Caller.NONE : call.caller();
                    if (adminOperation != null) {
                        admin.run(adminOperation, name, caller, exchange.getMessage());
                    } else if (operation == FileOperations.Operation.LIST_WORKSPACES) {
                        exchange.getMessage().setBody(admin.listWorkspaces(caller));
                    } else {
                        operations.run(operation, name, exchange.getMessage());
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
