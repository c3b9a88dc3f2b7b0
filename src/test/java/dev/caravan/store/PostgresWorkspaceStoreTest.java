package dev.caravan.store;

import dev.caravan.support.TestDatabases;

import javax.sql.DataSource;

/** The workspace store contract on PostgreSQL, each test in a schema of its own (see {@link PostgresStoreTest}). */
class PostgresWorkspaceStoreTest extends WorkspaceStoreContract {
    @Override
    protected DataSource freshDataSource() {
        return TestDatabases.plainPostgres();
    }
}
