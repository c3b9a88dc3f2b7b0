package dev.caravan.imports;

import dev.caravan.core.CaravanSettings;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.core.TokenCipher;
import dev.caravan.workspace.UnattendedAccess;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.http.WorkspaceWrites;
import dev.caravan.workspace.lock.LockService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Wires URL import: the guard, the fetcher, the job queue with its workers, and the {@code imports:} component. */
@Configuration
@EnableConfigurationProperties(ImportProperties.class)
public class ImportConfiguration {

    @Bean(destroyMethod = "close")
    WebFetcher importFetcher(ImportProperties properties) {
        return new WebFetcher(new AddressGuard(properties.getAllowedHosts()), properties.getConnectTimeout(),
                properties.getReadTimeout(), Math.max(properties.getWorkers() * 2, 8));
    }

    @Bean(destroyMethod = "close")
    ImportJobs importJobs(JdbcTemplate jdbc, Workspaces workspaces, LockService locks, AuditTrail audit,
                          WebFetcher fetcher, ImportProperties properties, ObjectProvider<ImportSource> drives,
                          CaravanSettings caravan) {
        // The drives (beans of imports.drive) recognise their URLs first; the web takes any http(s) URL left.
        List<ImportSource> all = new ArrayList<>(drives.orderedStream().toList());
        all.add(new WebSource());
        ImportSources sources = new ImportSources(all);
        // Its own WorkspaceWrites without an audit trail: the job records one 'import' event, not an http_put too.
        LinkPasswords passwords = new LinkPasswords(() -> TokenCipher.from(caravan));
        ImportRunner runner = new ImportRunner(workspaces, new WorkspaceWrites(locks, null), sources, fetcher,
                new FolderImport.Caps(properties.getFolderMaxFiles(), properties.getFolderMaxBytes().toBytes(),
                        properties.getFolderMaxDepth()), passwords);
        return new ImportJobs(new ImportJobRepository(jdbc), runner, sources, passwords, audit, properties,
                Clock.systemUTC());
    }

    @Bean
    SmartLifecycle importJobsLifecycle(ImportJobs jobs) {
        return new PhasedLifecycle("imports", jobs::start, jobs::close);
    }

    // Camel finds components among the beans by name.
    @Bean("imports")
    ImportsComponent importsComponent(ImportJobs jobs, Workspaces workspaces, WorkspaceAccess access,
                                      ImportProperties properties,
                                      @Value("${caravan.workspace.unattended.workspaces:}") String unattendedWorkspaces,
                                      @Value("${caravan.workspace.unattended.operations:}") String unattendedOperations) {
        return new ImportsComponent(jobs, workspaces, access,
                UnattendedAccess.parse(unattendedWorkspaces, unattendedOperations), properties.getMaxWait());
    }
}
