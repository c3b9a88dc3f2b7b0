package dev.caravan.workspace.share;

import dev.caravan.support.TestDatabases;

import javax.sql.DataSource;

/** The share table on the PostgreSQL server at 127.0.0.1:5432 (database test), in a schema of its own. */
class PostgresShareRepositoryTest extends ShareRepositoryContract {
    @Override
    protected DataSource freshDataSource() {
        return TestDatabases.plainPostgres();
    }
}
