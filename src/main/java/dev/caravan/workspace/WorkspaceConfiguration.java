package dev.caravan.workspace;

import dev.caravan.CaravanProperties;
import dev.caravan.connectors.ConnectorFileLifecycle;
import dev.caravan.workspace.component.WorkspaceComponent;
import dev.caravan.store.OwnershipRepository;
import dev.caravan.store.WorkspaceRepository;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
        return new SmartLifecycle() {
            private ScheduledExecutorService timer;

            @Override
            public void start() {
                runtime.reconcile();
                timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "caravan-workspaces-reconcile");
                    t.setDaemon(true);
                    return t;
                });
                long every = properties.getReconcileInterval().toMillis();
                timer.scheduleWithFixedDelay(() -> {
                    try {
                        runtime.reconcile();
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(WorkspaceConfiguration.class)
                                .warn("Reconciling workspaces with the database failed; will retry", e);
                    }
                }, every, every, TimeUnit.MILLISECONDS);
            }

            @Override
            public void stop() {
                if (timer != null) {
                    timer.shutdownNow();
                    timer = null;
                }
            }

            @Override
            public boolean isRunning() {
                return timer != null;
            }
        };
    }

    // Camel finds components among the beans by name.
    @Bean("workspace")
    WorkspaceComponent workspaceComponent(Workspaces workspaces, WorkspaceProperties properties, WorkspaceAccess access,
                                          Ownership ownership, RuntimeWorkspaces runtime) {
        return new WorkspaceComponent(workspaces, properties.getMaxReadBytes(), properties.getMaxEntries(),
                properties.getWalkTimeLimit(), access, ownership, runtime);
    }
}
