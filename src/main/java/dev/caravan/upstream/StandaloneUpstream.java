package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * One upstream outside the hub (for the {@code probe}): the very {@link UpstreamConnection} the hub runs for each
 * upstream (client factory, credentials, initialize and listing, health pings, backoff, needs-authorization),
 * without the catalogue, the endpoints or Spring.
 */
public final class StandaloneUpstream implements AutoCloseable {
    private final UpstreamConnection connection;
    private final ScheduledExecutorService scheduler;

    public StandaloneUpstream(UpstreamConfig config, UpstreamClientFactory factory, Duration backoffInitial,
                              Function<String, String> variables) {
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "caravan-upstream-" + config.name());
            t.setDaemon(true);
            return t;
        });
        this.connection = new UpstreamConnection(config, factory, scheduler,
                new Timings(Duration.ofMinutes(5), backoffInitial, backoffInitial.multipliedBy(8)),
                new Secrets(variables));
    }

    /** Called after every state or list change (from the connection's threads). */
    public void onChange(Runnable listener) {
        connection.onChange(listener);
    }

    public void start() {
        connection.start();
    }

    public void reconnect() {
        connection.reconnectNow();
    }

    public UpstreamStatus status() {
        return connection.status(tools().stream().map(McpSchema.Tool::name).toList());
    }

    /** The upstream's tools as it listed them (empty unless online). */
    public List<McpSchema.Tool> tools() {
        return connection.listing().tools();
    }

    /** Calls a tool by its own name; throws {@link UpstreamCallException} when no result came. */
    public McpSchema.CallToolResult call(String tool, Map<String, Object> arguments, Duration timeout) {
        return connection.call(tool, arguments, CallContext.none(), timeout);
    }

    /**
     * Calls a tool on behalf of {@code client}: what the upstream asks during the call (elicitation, sampling) and
     * tells (log messages) goes to it, as it would go to the hub's calling client.
     */
    public McpSchema.CallToolResult call(String tool, Map<String, Object> arguments, McpSyncServerExchange client,
                                         Duration timeout) {
        return connection.call(tool, arguments, new CallContext(client, null, "probe"), timeout);
    }

    @Override
    public void close() {
        connection.close();
        scheduler.shutdownNow();
    }
}
