package dev.caravan.cluster;

import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A long-held connection (a lease, a LISTEN) opened beside the pool: the pool would retire a connection it lent
 * long ago, and a held one would count against the requests' share.
 */
final class SideConnection {
    private SideConnection() {
    }

    static Connection open(DataSource dataSource) throws SQLException {
        Connection c = dataSource instanceof HikariDataSource h
                ? DriverManager.getConnection(h.getJdbcUrl(), h.getUsername(), h.getPassword())
                : dataSource.getConnection();
        c.setAutoCommit(true);
        return c;
    }
}
