package dev.caravan.cluster;

import dev.caravan.core.Periodic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import dev.caravan.core.Sha256;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * "Once across the nodes" for {@link Periodic} tasks on PostgreSQL: a run happens on the node that holds the task's
 * session-level advisory lock ({@code pg_try_advisory_lock}) on a connection of its own, held for as long as the
 * node leads. A node that stops (or dies: PostgreSQL ends the session with its socket) frees its locks, and the next
 * run of another node takes them over. Each run first checks the connection; a broken one is dropped, with the
 * leadership, and reopened on the next run. The lock key is derived from the schema and the task name, so several
 * Caravan installations (or test schemas) on one database do not shut each other out.
 */
public final class AdvisoryLeases implements Periodic.Guard, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdvisoryLeases.class);

    private final DataSource dataSource;
    private final Set<String> leading = new HashSet<>();
    private Connection held;
    private String schema;
    private boolean closed;

    public AdvisoryLeases(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void run(String name, Runnable work) {
        if (leads(name)) {
            work.run();
        }
    }

    /** Whether this node leads the task now, taking the lease when it is free. */
    public synchronized boolean leads(String name) {
        if (closed) {
            return false;
        }
        try {
            if (held != null && !held.isValid(5)) {
                log.warn("The connection holding this node's leases ({}) broke; taking them again", leading);
                drop();
            }
            if (held == null) {
                held = SideConnection.open(dataSource);
                schema = currentSchema(held);
            }
            if (!leading.contains(name) && tryLock(key(schema, name))) {
                leading.add(name);
                log.info("This node now runs '{}' for all nodes", name);
            }
            return leading.contains(name);
        } catch (SQLException e) {
            log.warn("Could not check the lease of '{}'; skipping this run", name, e);
            drop();
            return false;
        }
    }

    /** Frees every lease (closing the session frees its advisory locks), so another node takes over. */
    @Override
    public synchronized void close() {
        closed = true;
        drop();
    }

    private boolean tryLock(long key) throws SQLException {
        try (PreparedStatement ps = held.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static String currentSchema(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select current_schema()"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? String.valueOf(rs.getString(1)) : "";
        }
    }

    private void drop() {
        leading.clear();
        if (held != null) {
            try {
                held.close();
            } catch (SQLException e) {
                log.debug("Closing the lease connection: {}", e.getMessage());
            }
            held = null;
        }
    }

    /** 64 bits of SHA-256 over schema and task name: advisory locks are per database, not per schema. */
    static long key(String schema, String name) {
        return Sha256.first64Bits("caravan-lease\n" + schema + "\n" + name);
    }
}
