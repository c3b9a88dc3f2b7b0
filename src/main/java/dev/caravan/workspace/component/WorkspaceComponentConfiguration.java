package dev.caravan.workspace.component;

import dev.caravan.workspace.Ownership;
import dev.caravan.workspace.RuntimeWorkspaces;
import dev.caravan.workspace.UnattendedAccess;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.WorkspaceProperties;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.audit.AuditProperties;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.lock.LockService;
import dev.caravan.workspace.share.ShareTools;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the {@code workspace:} Camel component and the route check of its scope tags. */
@Configuration
public class WorkspaceComponentConfiguration {

    // Camel finds components among the beans by name.
    @Bean("workspace")
    WorkspaceComponent workspaceComponent(Workspaces workspaces, WorkspaceProperties properties, WorkspaceAccess access,
                                          Ownership ownership, RuntimeWorkspaces runtime, ShareTools shares,
                                          LockService locks, AuditTrail audit, AuditProperties auditProperties,
                                          @Value("${caravan.workspace.unattended.workspaces:}") String unattendedWorkspaces,
                                          @Value("${caravan.workspace.unattended.operations:}") String unattendedOperations) {
        return new WorkspaceComponent(workspaces, properties.getMaxReadBytes(), properties.getMaxEntries(),
                properties.getWalkTimeLimit(), new WorkspaceServices(access, ownership, runtime, shares, locks, audit,
                auditProperties.getMaxResults(), UnattendedAccess.parse(unattendedWorkspaces, unattendedOperations)));
    }

    /** Refuses, when a route file loads, a tool whose scope tag is lower than its workspace steps need. */
    @Bean
    WorkspaceRouteCheck workspaceRouteCheck() {
        return new WorkspaceRouteCheck();
    }
}
