package dev.caravan.workspace.share;

import dev.caravan.support.TestDatabases;

import javax.sql.DataSource;

class H2ShareRepositoryTest extends ShareRepositoryContract {
    @Override
    protected DataSource freshDataSource() {
        return TestDatabases.plainH2();
    }
}
