package dev.caravan.workspace.lock;

import dev.caravan.support.TestDatabases;
import com.zaxxer.hikari.HikariDataSource;

class H2LockServiceTest extends LockServiceContract {
    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.h2();
    }
}
