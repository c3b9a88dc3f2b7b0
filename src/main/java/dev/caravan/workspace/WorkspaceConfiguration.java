package dev.caravan.workspace;

import dev.caravan.CaravanProperties;
import dev.caravan.connectors.ConnectorFileLifecycle;
import dev.caravan.workspace.component.WorkspaceComponent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the workspace connector: the workspaces in use, the watcher of {@code connectors/workspaces.yaml}, and the
 * {@code workspace:} Camel component.
 */
@Configuration
@EnableConfigurationProperties(WorkspaceProperties.class)
public class WorkspaceConfiguration {

    @Bean(destroyMethod = "close")
    Workspaces workspaces(CaravanProperties caravan, WorkspaceProperties properties, Environment environment) {
        return new Workspaces(caravan.getDataDir(), properties.getVersionsKept(), environment::getProperty);
    }

    @Bean(destroyMethod = "close")
    WorkspacesFile workspacesFile(Workspaces workspaces, CaravanProperties caravan, WorkspaceProperties properties) {
        return new WorkspacesFile(caravan.getConnectorsDir(), workspaces, properties.getPollInterval());
    }

    /** Reads workspaces.yaml as the application starts (before routes can be called) and stops watching at the end. */
    @Bean
    SmartLifecycle workspacesLifecycle(WorkspacesFile file) {
        return new ConnectorFileLifecycle(file, () -> {
        });
    }

    // Camel finds components among the beans by name.
    @Bean("workspace")
    WorkspaceComponent workspaceComponent(Workspaces workspaces, WorkspaceProperties properties,
                                          dev.caravan.workspace.lock.LockService locks,
                                          dev.caravan.workspace.audit.AuditTrail audit,
                                          dev.caravan.workspace.audit.AuditProperties auditProperties) {
        return new WorkspaceComponent(workspaces, properties.getMaxReadBytes(), properties.getMaxEntries(),
                properties.getWalkTimeLimit(), locks, audit, auditProperties.getMaxResults());
    }
}
