package dev.caravan.store;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.UUID;

/** The workspace store contract on PostgreSQL, each test in a schema of its own (see {@link PostgresStoreTest}). */
class PostgresWorkspaceStoreTest extends WorkspaceStoreContract {
    @Override
    protected DataSource freshDataSource() {
        String schema = "caravan_ws_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        new JdbcTemplate(StoreContract.dataSource(PostgresStoreTest.URL, "postgres")).execute("create schema " + schema);
        return StoreContract.dataSource(PostgresStoreTest.URL + "?currentSchema=" + schema, "postgres");
    }
}
