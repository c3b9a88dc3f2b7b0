package dev.caravan.upstream;

import dev.caravan.catalog.Catalog;
import dev.caravan.connectors.ConnectorFileLifecycle;
import dev.caravan.core.CaravanSettings;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.store.ManagedUpstreamRepository;
import dev.caravan.core.TokenCipher;
import io.modelcontextprotocol.json.McpJsonMapper;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the upstream connector: the connections (joined to the catalogue), the watcher of
 * {@code connectors/upstreams.yaml}, and the {@code mcp:} Camel component.
 */
@Configuration
@EnableConfigurationProperties(UpstreamProperties.class)
public class UpstreamConfiguration {

    @Bean
    UpstreamClientFactory upstreamClientFactory(McpJsonMapper json, OAuthConnector oauth) {
        // OAuth 2.1 (authorization code + PKCE, client credentials) comes from dev.caravan.upstream.oauth.
        return new UpstreamClientFactory(json, oauth);
    }

    @Bean(destroyMethod = "close")
    Upstreams upstreams(Catalog catalog, UpstreamClientFactory factory, UpstreamProperties properties,
                        Environment environment) {
        return new Upstreams(catalog, factory, properties.getHealthInterval(), properties.getBackoffInitial(),
                properties.getBackoffMax(), properties.getMaxConcurrentCalls(), environment::getProperty);
    }

    @Bean(destroyMethod = "close")
    UpstreamsFile upstreamsFile(Upstreams upstreams, CaravanSettings caravan, UpstreamProperties properties) {
        return new UpstreamsFile(caravan.getConnectorsDir(), upstreams, properties.getPollInterval());
    }

    /**
     * Reads upstreams.yaml once the application starts, and disconnects every upstream when it stops, before the
     * web server does (so a Caravan that is its own upstream does not see itself go away first).
     */
    @Bean
    SmartLifecycle upstreamsLifecycle(UpstreamsFile file, Upstreams upstreams) {
        return new ConnectorFileLifecycle(file, upstreams::close);
    }

    @Bean(destroyMethod = "close")
    ManagedUpstreams managedUpstreams(ManagedUpstreamRepository repository, Upstreams upstreams,
                                      CaravanSettings caravan, UpstreamProperties properties,
                                      OAuthConnector oauth) {
        return new ManagedUpstreams(repository, upstreams, () -> TokenCipher.from(caravan),
                properties.isApiAllowsStdio(), oauth::forget);
    }

    /**
     * Reads the API-managed upstreams from the database as the application starts (just before upstreams.yaml:
     * a lower phase starts earlier and stops later), then every reconcile-interval for other nodes' changes.
     */
    @Bean
    SmartLifecycle managedUpstreamsLifecycle(ManagedUpstreams managed, UpstreamProperties properties) {
        return new PhasedLifecycle("managed-upstreams", SmartLifecycle.DEFAULT_PHASE - 1,
                () -> managed.start(properties.getReconcileInterval()), managed::close);
    }

    // Camel finds components among the beans by name.
    @Bean("mcp")
    McpComponent mcpComponent(Upstreams upstreams) {
        return new McpComponent(upstreams);
    }
}
