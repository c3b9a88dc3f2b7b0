package dev.caravan.workspace.audit;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.support.TestDatabases;

class H2AuditTrailTest extends AuditTrailContract {
    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.h2();
    }
}
