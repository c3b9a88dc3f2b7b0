package dev.caravan.ops;

import dev.caravan.imports.ImportJobs;
import dev.caravan.knowledge.KnowledgeService;
import dev.caravan.routes.RouteDirectory;
import dev.caravan.server.CallRegistry;
import dev.caravan.upstream.Upstreams;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.audit.AuditTrail;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * Operations: health (liveness, readiness with the route files, details per part), metrics for Prometheus and the
 * graceful drain on shutdown. It reads the rooms' faces; no room knows about it.
 */
@Configuration
@EnableConfigurationProperties(MetricsProperties.class)
public class OpsConfiguration {

    /** Bean names are the health component names: {@code routes}, {@code upstreams}, {@code workspaces}. */
    @Bean("routesHealthIndicator")
    HealthIndicator routesHealth(RouteDirectory routes) {
        return new RoutesHealth(routes);
    }

    @Bean("upstreamsHealthIndicator")
    HealthIndicator upstreamsHealth(Upstreams upstreams) {
        return new UpstreamsHealth(upstreams);
    }

    @Bean("workspacesHealthIndicator")
    HealthIndicator workspacesHealth(Workspaces workspaces) {
        return new WorkspacesHealth(workspaces);
    }

    @Bean
    CaravanMetrics caravanMetrics(CallRegistry calls, ObjectProvider<Upstreams> upstreams,
                                  ObjectProvider<AuditTrail> audit, ObjectProvider<ImportJobs> imports,
                                  ObjectProvider<KnowledgeService> knowledge) {
        return new CaravanMetrics(calls, upstreams.getIfAvailable(), audit.getIfAvailable(),
                imports.getIfAvailable(), knowledge.getIfAvailable());
    }

    @Bean
    GracefulDrain gracefulDrain(CallRegistry calls,
                                @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration timeout) {
        return new GracefulDrain(calls, timeout);
    }
}
