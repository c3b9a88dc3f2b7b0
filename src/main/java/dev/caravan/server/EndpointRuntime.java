package dev.caravan.server;

import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.core.Periodic;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.server.modern.ModernEndpoint;
import dev.caravan.server.modern.RequestStates;
import io.modelcontextprotocol.json.McpJsonMapper;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints being served now, by name. The servlet container cannot add servlets after start, so the
 * dispatcher servlet looks endpoints up here; they are created, changed and removed at runtime.
 */
public class EndpointRuntime implements AutoCloseable {
    private final Map<String, EndpointViews> servers = new ConcurrentHashMap<>();
    private final Catalog catalog;
    private final CallRegistry calls;
    private final McpJsonMapper json;
    private final McpServerProperties.Mcp settings;
    private final ModernEndpoint.Settings modern;
    // A reload registers and unregisters many features at once: sync once after the burst.
    private final Periodic syncer = Periodic.onRequest("catalog-sync", Duration.ofMillis(50), this::syncAll).start();

    public EndpointRuntime(Catalog catalog, CallRegistry calls, McpJsonMapper json, McpServerProperties properties) {
        this(catalog, calls, json, properties, modernDefaults(json, properties.getMcp()));
    }

    /** @param modern how the 2026-07-28 servers seal request state and hint caching (see RequestStateKeys) */
    public EndpointRuntime(Catalog catalog, CallRegistry calls, McpJsonMapper json, McpServerProperties properties,
                           ModernEndpoint.Settings modern) {
        this.modern = modern;
        this.catalog = catalog;
        this.calls = calls;
        this.json = json;
        this.settings = properties.getMcp();
        // After close, Camel still stops routes (and so changes the catalogue): the closed syncer ignores that.
        catalog.onChange(syncer::request);
        catalog.onResourceUpdated(this::resourceUpdated);
    }

    /** Tells this node's listeners (both eras) that the resource changed; also for updates other nodes relay. */
    public void resourceUpdated(String uri) {
        servers.values().forEach(s -> s.resourceUpdated(uri));
    }

    /** A per-process key: request state sealed here opens on this node only (tests, a single node). */
    static ModernEndpoint.Settings modernDefaults(McpJsonMapper json, McpServerProperties.Mcp settings) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new ModernEndpoint.Settings(new RequestStates(key, null,
                Duration.ofMinutes(10), json), settings.getMaxRequestBytes(), 60_000, Duration.ofSeconds(10));
    }

    private void syncAll() {
        servers.values().forEach(EndpointViews::sync);
    }

    /** Starts serving the endpoint, or changes which tools it shows when it is served already. */
    public void publish(String name, ToolSelector selector) {
        servers.compute(name, (n, existing) -> {
            if (existing == null) {
                return new EndpointViews(n, selector, catalog, calls, json, settings, modern);
            }
            existing.select(selector);
            return existing;
        });
    }

    public void withdraw(String name) {
        EndpointViews server = servers.remove(name);
        if (server != null) {
            server.close();
        }
    }

    public void resetSseSessions(String name) {
        EndpointViews server = servers.get(name);
        if (server != null) {
            server.resetSseSessions();
        }
    }

    /** Closes the endpoint's tool views that no credential holding one of these operation sets needs. */
    public void retainViews(String name, Set<Set<WorkspaceScopes.Operation>> needed) {
        EndpointViews server = servers.get(name);
        if (server != null) {
            server.retain(needed);
        }
    }

    EndpointViews find(String name) {
        return servers.get(name);
    }

    /** The tool patterns the endpoint is served with now, or null when it is not served. */
    public List<String> patterns(String name) {
        EndpointViews server = servers.get(name);
        return server == null ? null : server.selector().patterns();
    }

    public Set<String> names() {
        return Set.copyOf(servers.keySet());
    }

    public List<String> toolNames(String name) {
        EndpointViews server = servers.get(name);
        return server == null ? List.of() : server.toolNames();
    }

    @Override
    public void close() {
        syncer.close();
        servers.values().forEach(EndpointViews::close);
        servers.clear();
    }
}
