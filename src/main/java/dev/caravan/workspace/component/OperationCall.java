package dev.caravan.workspace.component;

import dev.caravan.core.Caller;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.versions.VersionedStorage;
import org.apache.camel.Message;

/**
 * One run of a workspace operation: who calls, its arguments (headers), the message the result goes in, and the
 * workspace, looked up on first use (audit_search names none).
 */
final class OperationCall {
    private final Workspaces workspaces;
    private final String workspaceName;
    private final Args args;
    private final Message message;
    private final Caller caller;
    private Workspace workspace;

    OperationCall(Workspaces workspaces, String workspaceName, Message message, Caller caller) {
        this.workspaces = workspaces;
        this.workspaceName = workspaceName;
        this.args = new Args(message);
        this.message = message;
        this.caller = caller;
    }

    Workspace workspace() {
        if (workspace == null) {
            workspace = workspaces.get(workspaceName);
        }
        return workspace;
    }

    VersionedStorage storage() {
        return workspace().storage();
    }

    Args args() {
        return args;
    }

    Message message() {
        return message;
    }

    Caller caller() {
        return caller;
    }
}
