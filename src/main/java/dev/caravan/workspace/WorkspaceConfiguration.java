package dev.caravan.workspace;

import dev.caravan.CaravanProperties;
import dev.caravan.connectors.ConnectorFileLifecycle;
import dev.caravan.workspace.component.WorkspaceComponent;
import dev.caravan.admin.AdminToken;
import dev.caravan.server.EndpointService;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.time.Clock;

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
    WorkspaceComponent workspaceComponent(Workspaces workspaces, WorkspaceProperties properties, ShareTools shares) {
        return new WorkspaceComponent(workspaces, properties.getMaxReadBytes(), properties.getMaxEntries(),
                properties.getWalkTimeLimit(), shares);
    }

    @Bean
    Shares shares(JdbcTemplate jdbc, Workspaces workspaces, WorkspaceProperties properties, CaravanProperties caravan) {
        return new Shares(new ShareRepository(jdbc), workspaces, new ShareSettings(properties.getShareDefaultExpiry(),
                properties.getShareMaxExpiry(), caravan.getPublicBaseUrl()), Clock.systemUTC());
    }

    @Bean
    ShareTools shareTools(Shares shares) {
        return new ShareTools(shares, Clock.systemUTC());
    }

    @Bean
    FileApiAccess fileApiAccess(AdminToken admin, EndpointService endpoints) {
        return new FileApiAccess(admin, endpoints);
    }

    @Bean
    WorkspaceWrites workspaceWrites() {
        return new WorkspaceWrites();
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
