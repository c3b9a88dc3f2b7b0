package dev.caravan.workspace.audit;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.support.TestDatabases;

class PostgresAuditTrailTest extends AuditTrailContract {
    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres();
    }
}
