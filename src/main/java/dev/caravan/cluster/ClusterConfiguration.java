package dev.caravan.cluster;

import dev.caravan.core.Periodic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What makes several nodes on one PostgreSQL database act as one: the {@link Periodic.Guard} that singleton tasks
 * run under (advisory-lock leases; on the embedded H2 there is one node, and it runs everything).
 */
@Configuration
public class ClusterConfiguration {

    @Bean(destroyMethod = "close")
    SingletonGuard singletonGuard(DataSource dataSource) throws SQLException {
        return new SingletonGuard(isPostgres(dataSource) ? new AdvisoryLeases(dataSource) : null);
    }

    static boolean isPostgres(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        }
    }
}
