package dev.caravan.store;

import javax.sql.DataSource;
import java.util.UUID;

class H2StoreTest extends StoreContract {
    @Override
    protected DataSource freshDataSource() {
        return dataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa");
    }
}
