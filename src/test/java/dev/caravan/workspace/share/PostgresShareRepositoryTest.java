package dev.caravan.workspace.share;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.UUID;

/** The share table on the PostgreSQL server at 127.0.0.1:5432 (database test), in a schema of its own. */
class PostgresShareRepositoryTest extends ShareRepositoryContract {
    static final String URL = System.getProperty("caravan.test.postgres-url", "jdbc:postgresql://127.0.0.1:5432/test");

    @Override
    protected DataSource freshDataSource() {
        String schema = "caravan_share_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        new JdbcTemplate(dataSource(URL, "postgres")).execute("create schema " + schema);
        return dataSource(URL + "?currentSchema=" + schema, "postgres");
    }
}
