package dev.caravan.cluster;

import dev.caravan.core.Periodic;
import dev.caravan.catalog.Catalog;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.server.EndpointRuntime;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What makes several nodes on one PostgreSQL database act as one: the {@link Periodic.Guard} that singleton tasks
 * run under (advisory-lock leases; on the embedded H2 there is one node, and it runs everything), and the relay of
 * resource updates to the other nodes' listeners.
 */
@Configuration
public class ClusterConfiguration {

    @Bean(destroyMethod = "close")
    SingletonGuard singletonGuard(DataSource dataSource) throws SQLException {
        return new SingletonGuard(isPostgres(dataSource) ? new AdvisoryLeases(dataSource) : null);
    }

    /** On PostgreSQL: resource updates announced on one node reach the listeners on every node. */
    @Bean
    SmartLifecycle resourceUpdateRelay(DataSource dataSource, Catalog catalog, EndpointRuntime runtime)
            throws SQLException {
        if (!isPostgres(dataSource)) {
            return new PhasedLifecycle("resource-update-relay (one node)", () -> { }, () -> { });
        }
        ResourceUpdateRelay relay = new ResourceUpdateRelay(dataSource, runtime::resourceUpdated);
        catalog.onResourceUpdated(relay::announce);
        return new PhasedLifecycle("resource-update-relay", relay::start, relay::close);
    }

    static boolean isPostgres(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        }
    }
}
