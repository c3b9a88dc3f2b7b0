package dev.caravan.store;

import dev.caravan.support.TestDatabases;

import javax.sql.DataSource;

class H2WorkspaceStoreTest extends WorkspaceStoreContract {
    @Override
    protected DataSource freshDataSource() {
        return TestDatabases.plainH2();
    }
}
