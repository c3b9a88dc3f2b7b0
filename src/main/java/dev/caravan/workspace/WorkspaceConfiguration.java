package dev.caravan.workspace;

import dev.caravan.connectors.ConnectorFileLifecycle;
import dev.caravan.core.CaravanSettings;
import dev.caravan.core.Periodic;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.store.OwnershipRepository;
import dev.caravan.store.WorkspaceRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the workspace room's face: the workspaces in use, the watcher of {@code connectors/workspaces.yaml},
 * ownership and access. The subpackages that build on it (component, share, http) wire their own parts, so this
 * package does not depend on them.
 */
@Configuration
@EnableConfigurationProperties(WorkspaceProperties.class)
public class WorkspaceConfiguration {

    @Bean(destroyMethod = "close")
    Workspaces workspaces(CaravanSettings caravan, WorkspaceProperties properties, Environment environment) {
        return new Workspaces(caravan.getDataDir(), properties.getVersionsKept(), environment::getProperty);
    }

    @Bean(destroyMethod = "close")
    WorkspacesFile workspacesFile(Workspaces workspaces, CaravanSettings caravan, WorkspaceProperties properties) {
        return new WorkspacesFile(caravan.getConnectorsDir(), workspaces, properties.getPollInterval());
    }

    /** Reads workspaces.yaml as the application starts (before routes can be called) and stops watching at the end. */
    @Bean
    SmartLifecycle workspacesLifecycle(WorkspacesFile file) {
        return new ConnectorFileLifecycle(file, () -> {
        });
    }

    @Bean
    Ownership workspaceOwnership(OwnershipRepository repository, TransactionTemplate tx, WorkspaceProperties properties) {
        return new Ownership(repository, tx, properties.getMaxClaimLifetime());
    }

    /** Who may do what with a workspace: scopes, ownership, grants. */
    @Bean
    WorkspaceAccess workspaceAccess(Ownership ownership) {
        return new WorkspaceAccess(ownership);
    }

    @Bean
    RuntimeWorkspaces runtimeWorkspaces(WorkspaceRepository repository, Ownership ownership, Workspaces workspaces,
                                        TransactionTemplate tx, WorkspaceProperties properties) {
        return new RuntimeWorkspaces(repository, ownership, workspaces, tx, properties);
    }

    /** Loads the stored workspaces at start and picks up other nodes' changes every reconcile interval. */
    @Bean
    SmartLifecycle runtimeWorkspacesLifecycle(RuntimeWorkspaces runtime, WorkspaceProperties properties) {
        Periodic reconcile = Periodic.every("workspaces-reconcile", properties.getReconcileInterval(),
                runtime::reconcile);
        return new PhasedLifecycle("runtime-workspaces", () -> {
            runtime.reconcile();
            reconcile.start();
        }, reconcile::close);
    }

    /** Removes leftovers of interrupted writes at start and periodically. */
    @Bean
    SmartLifecycle abandonedFileSweeper(Workspaces workspaces, WorkspaceProperties properties,
                                        ObjectProvider<Periodic.Guard> singleton) {
        Periodic sweep = new AbandonedFileSweeper(workspaces, properties.getTempFileMaxAge(),
                singleton.getIfAvailable(() -> Periodic.Guard.EVERY_NODE)).schedule();
        return new PhasedLifecycle("workspaces-sweep", sweep::start, sweep::close);
    }
}
