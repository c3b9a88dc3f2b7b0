package dev.caravan.support;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.util.UUID;

/**
 * Databases for repository tests: H2 in memory, or a schema of its own on the local PostgreSQL. {@code h2()} and
 * {@code postgres()} are migrated connection pools (for concurrency tests; close them); {@code plainH2()} and
 * {@code plainPostgres()} are empty, unpooled data sources for tests that migrate themselves.
 */
public final class TestDatabases {
    public static final String POSTGRES_URL = System.getProperty("caravan.test.postgres-url",
            "jdbc:postgresql://127.0.0.1:5432/test");

    private TestDatabases() {
    }

    public static HikariDataSource h2() {
        return migrated(pool("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa"));
    }

    /** A new schema on the PostgreSQL server every development and CI machine runs; returns its name too. */
    public static String newPostgresSchema() {
        String schema = "caravan_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        new JdbcTemplate(new DriverManagerDataSource(POSTGRES_URL, "postgres", "")).execute("create schema " + schema);
        return schema;
    }

    /** An empty in-memory H2 database, unpooled. */
    public static DataSource plainH2() {
        return new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    /** An empty schema of its own on the local PostgreSQL, unpooled. */
    public static DataSource plainPostgres() {
        return new DriverManagerDataSource(POSTGRES_URL + "?currentSchema=" + newPostgresSchema(), "postgres", "");
    }

    public static HikariDataSource postgres(String schema) {
        return pool(POSTGRES_URL + "?currentSchema=" + schema, "postgres");
    }

    public static HikariDataSource postgres() {
        return migrated(postgres(newPostgresSchema()));
    }

    private static HikariDataSource pool(String url, String user) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername(user);
        ds.setPassword("");
        ds.setMaximumPoolSize(24);
        return ds;
    }

    public static <T extends DataSource> T migrated(T ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }
}
