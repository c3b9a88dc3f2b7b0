package dev.caravan.store;

import dev.caravan.support.TestDatabases;

import javax.sql.DataSource;

class H2StoreTest extends StoreContract {
    @Override
    protected DataSource freshDataSource() {
        return TestDatabases.plainH2();
    }
}
