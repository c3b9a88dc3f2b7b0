package dev.caravan.workspace;

import dev.caravan.admin.AdminToken;
import dev.caravan.connectors.ConnectorFileLifecycle;
import dev.caravan.core.CaravanSettings;
import dev.caravan.core.Periodic;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.server.EndpointService;
import dev.caravan.store.OwnershipRepository;
import dev.caravan.store.WorkspaceRepository;
import dev.caravan.workspace.audit.AuditProperties;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.component.WorkspaceComponent;
import dev.caravan.workspace.component.WorkspaceRouteCheck;
import dev.caravan.workspace.component.WorkspaceServices;
import dev.caravan.workspace.lock.LockService;
import dev.caravan.workspace.http.FileApiAccess;
import dev.caravan.workspace.http.FilesController;
import dev.caravan.workspace.http.WorkspaceWrites;
import dev.caravan.workspace.share.ShareRepository;
import dev.caravan.workspace.share.ShareSettings;
import dev.caravan.workspace.share.ShareTools;
import dev.caravan.workspace.share.Shares;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.filter.OrderedFormContentFilter;
import org.springframework.context.SmartLifecycle;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;

/**
 * Wires the workspace connector: the workspaces in use, the watcher of {@code connectors/workspaces.yaml}, and the
 * {@code workspace:} Camel component.
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
    SmartLifecycle abandonedFileSweeper(Workspaces workspaces, WorkspaceProperties properties) {
        Periodic sweep = new AbandonedFileSweeper(workspaces, properties.getTempFileMaxAge()).schedule();
        return new PhasedLifecycle("workspaces-sweep", sweep::start, sweep::close);
    }

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

    @Bean
    Shares shares(JdbcTemplate jdbc, Workspaces workspaces, WorkspaceProperties properties, CaravanSettings caravan) {
        return new Shares(new ShareRepository(jdbc), workspaces, new ShareSettings(properties.getShareDefaultExpiry(),
                properties.getShareMaxExpiry(), caravan.getPublicBaseUrl()), Clock.systemUTC());
    }

    @Bean
    ShareTools shareTools(Shares shares) {
        return new ShareTools(shares, Clock.systemUTC());
    }

    @Bean
    FileApiAccess fileApiAccess(AdminToken admin, EndpointService endpoints, WorkspaceAccess access) {
        return new FileApiAccess(admin, endpoints, access);
    }

    @Bean
    WorkspaceWrites workspaceWrites(LockService locks, AuditTrail audit) {
        return new WorkspaceWrites(locks, audit);
    }

    /**
     * Spring Boot's form filter reads the whole body of a PUT sent as application/x-www-form-urlencoded (curl's
     * default for --data-binary) into memory; file bodies must stream, so it leaves the file faces alone.
     */
    @Bean
    OrderedFormContentFilter formContentFilter() {
        return new OrderedFormContentFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                String path = request.getRequestURI().substring(request.getContextPath().length());
                return path.startsWith(FilesController.PREFIX) || path.startsWith(Shares.PATH_PREFIX);
            }
        };
    }
}
