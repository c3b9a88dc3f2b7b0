package dev.caravan.store;

import dev.caravan.support.TestDatabases;

import javax.sql.DataSource;

/**
 * The same contract on the PostgreSQL server every development and CI machine runs (127.0.0.1:5432, database
 * {@code test}, trust auth); each test gets a schema of its own. Override with -Dcaravan.test.postgres-url.
 */
class PostgresStoreTest extends StoreContract {
    @Override
    protected DataSource freshDataSource() {
        return TestDatabases.plainPostgres();
    }
}
