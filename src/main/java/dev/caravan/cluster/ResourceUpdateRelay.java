package dev.caravan.cluster;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Carries "resource X was updated" (a route sending to an {@code ai-resource} endpoint) to the other nodes, whose
 * clients may be listening ({@code subscriptions/listen}, {@code resources/subscribe}) while the route ran here:
 * PostgreSQL {@code NOTIFY} on a channel of this schema, {@code LISTEN} on a connection of its own. Each node skips
 * its own notices (it told its listeners directly). A notice is best effort, as the spec's notifications are: one
 * sent while a node's listening connection is being reopened is not replayed.
 */
public final class ResourceUpdateRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResourceUpdateRelay.class);
    /** PostgreSQL's limit is 8000 bytes a payload; a longer URI is not relayed (and logged). */
    private static final int MAX_PAYLOAD = 7900;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final Consumer<String> deliver;
    private final String node = UUID.randomUUID().toString();
    private volatile String channel;
    private volatile boolean running;
    private Thread listener;

    /** @param deliver tells this node's listeners of an update another node announced */
    public ResourceUpdateRelay(DataSource dataSource, Consumer<String> deliver) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.deliver = deliver;
    }

    public synchronized void start() {
        String schema = jdbc.queryForObject("select current_schema()", String.class);
        channel = "caravan_updates_" + Long.toHexString(AdvisoryLeases.key(schema, "resource-updates"));
        running = true;
        listener = new Thread(this::listen, "caravan-resource-updates");
        listener.setDaemon(true);
        listener.start();
    }

    /** Tells the other nodes; called on the route's thread, so it must not throw. */
    public void announce(String uri) {
        String payload = node + "\n" + uri;
        if (!running || payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
            log.debug("Not relaying the update of a resource ({} bytes)", payload.length());
            return;
        }
        try {
            jdbc.queryForObject("select pg_notify(?, ?)", Object.class, channel, payload);
        } catch (RuntimeException e) {
            log.warn("Could not tell the other nodes that {} was updated: {}", uri, e.getMessage());
        }
    }

    private void listen() {
        while (running) {
            try (Connection c = SideConnection.open(dataSource); Statement s = c.createStatement()) {
                s.execute("LISTEN \"" + channel + "\"");
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications(500);
                    if (notes == null) {
                        continue;
                    }
                    for (PGNotification n : notes) {
                        receive(n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening for other nodes' resource updates failed; again in 1 s ({})", e.getMessage());
                    sleep();
                }
            }
        }
    }

    private void receive(String payload) {
        int cut = payload.indexOf('\n');
        if (cut > 0 && !payload.substring(0, cut).equals(node)) {
            try {
                deliver.accept(payload.substring(cut + 1));
            } catch (RuntimeException e) {
                log.warn("Delivering another node's resource update failed", e);
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (listener != null) {
            listener.interrupt();
            try {
                listener.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
