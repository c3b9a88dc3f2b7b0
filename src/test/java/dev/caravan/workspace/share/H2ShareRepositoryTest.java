package dev.caravan.workspace.share;

import javax.sql.DataSource;
import java.util.UUID;

class H2ShareRepositoryTest extends ShareRepositoryContract {
    @Override
    protected DataSource freshDataSource() {
        return dataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa");
    }
}
