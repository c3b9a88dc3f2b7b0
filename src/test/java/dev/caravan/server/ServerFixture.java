package dev.caravan.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogSource;
import dev.caravan.store.CredentialRepository;
import dev.caravan.store.EndpointRepository;
import dev.caravan.support.TestDatabases;
import dev.caravan.tool.FeatureRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;

/** The server package's real parts on an in-memory H2: repositories, runtime and endpoint service, no web server. */
final class ServerFixture implements AutoCloseable {
    final HikariDataSource db = TestDatabases.h2();
    final JdbcTemplate jdbc = new JdbcTemplate(db);
    final CredentialRepository credentials = new CredentialRepository(jdbc);
    final EndpointRepository endpointRecords = new EndpointRepository(jdbc);
    final CallRegistry calls = new CallRegistry();
    final EndpointRuntime runtime;
    final EndpointService endpoints;

    ServerFixture() {
        McpServerProperties properties = new McpServerProperties();
        runtime = new EndpointRuntime(new Catalog(new FeatureRegistry(), emptySource()), calls, McpJson.mapper(), properties);
        endpoints = new EndpointService(endpointRecords, credentials, runtime,
                new TransactionTemplate(new DataSourceTransactionManager(db)), properties, name -> null);
        endpoints.start();
    }

    private static CatalogSource emptySource() {
        return new CatalogSource() {
            public String name() {
                return "routes";
            }

            public List<Catalog.Tool> tools() {
                return List.of();
            }

            public List<Catalog.Resource> resources() {
                return List.of();
            }

            public List<Catalog.Prompt> prompts() {
                return List.of();
            }

            public void onChange(Runnable listener) {
            }
        };
    }

    @Override
    public void close() {
        runtime.close();
        db.close();
    }
}
