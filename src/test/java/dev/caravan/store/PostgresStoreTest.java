package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.UUID;

/**
 * The same contract on the PostgreSQL server every development and CI machine runs (127.0.0.1:5432, database
 * {@code test}, trust auth); each test gets a schema of its own. Override with -Dcaravan.test.postgres-url.
 */
class PostgresStoreTest extends StoreContract {
    static final String URL = System.getProperty("caravan.test.postgres-url", "jdbc:postgresql://127.0.0.1:5432/test");

    @Override
    protected DataSource freshDataSource() {
        String schema = "caravan_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        new JdbcTemplate(dataSource(URL, "postgres")).execute("create schema " + schema);
        return dataSource(URL + "?currentSchema=" + schema, "postgres");
    }
}
