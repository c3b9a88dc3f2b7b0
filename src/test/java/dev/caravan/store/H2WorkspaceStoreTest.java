package dev.caravan.store;

import javax.sql.DataSource;
import java.util.UUID;

class H2WorkspaceStoreTest extends WorkspaceStoreContract {
    @Override
    protected DataSource freshDataSource() {
        return StoreContract.dataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa");
    }
}
