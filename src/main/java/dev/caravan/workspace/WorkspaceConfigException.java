package dev.caravan.workspace;

import dev.caravan.connectors.ConnectorConfigException;

/** {@code workspaces.yaml} cannot be used; the message names the file, the line when known, and the reason. */
public class WorkspaceConfigException extends ConnectorConfigException {

    public WorkspaceConfigException(String file, Integer line, String reason) {
        super(file, line, reason);
    }
}
