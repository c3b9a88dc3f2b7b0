package dev.caravan.server;

import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.server.modern.ModernEndpoint;
import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;
import io.modelcontextprotocol.json.McpJsonMapper;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One published endpoint as each kind of credential sees it. The SDK keeps one tool list per server, and a
 * read-only credential must not even see write tools, so there is one {@link EndpointServer} (a Streamable HTTP and
 * a legacy SSE server) per distinct set of workspace operations among the endpoint's credentials. The full view
 * always exists; the others are made on a credential's first request, synced together, and closed when no active
 * credential needs them any more. A session belongs to the view it started in.
 */
final class EndpointViews {
    static final Set<WorkspaceScopes.Operation> FULL = Set.copyOf(EnumSet.allOf(WorkspaceScopes.Operation.class));
    /** A view younger than this is kept even if no credential seems to need it (another node may have just made one). */
    private static final long KEEP_NEW_VIEWS_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final Catalog catalog;
    private final CallRegistry calls;
    private final McpJsonMapper json;
    private final McpServerProperties.Mcp settings;
    private final ModernEndpoint.Settings modern;
    private final Map<Set<WorkspaceScopes.Operation>, View> views = new ConcurrentHashMap<>();
    private volatile ToolSelector selector;

    private record View(EndpointServer server, long createdAt) {
    }

    EndpointViews(String name, ToolSelector selector, Catalog catalog, CallRegistry calls, McpJsonMapper json,
                  McpServerProperties.Mcp settings) {
        this(name, selector, catalog, calls, json, settings, EndpointRuntime.modernDefaults(json, settings));
    }

    EndpointViews(String name, ToolSelector selector, Catalog catalog, CallRegistry calls, McpJsonMapper json,
                  McpServerProperties.Mcp settings, ModernEndpoint.Settings modern) {
        this.name = name;
        this.modern = modern;
        this.selector = selector;
        this.catalog = catalog;
        this.calls = calls;
        this.json = json;
        this.settings = settings;
        views.put(FULL, newView(FULL));
    }

    /** The server this caller's requests go to (null caller: the full view, where unknown sessions are refused). */
    EndpointServer of(Caller caller) {
        Set<WorkspaceScopes.Operation> key = caller == null ? FULL : caller.scopes().operations();
        View view = views.get(key);
        if (view != null) {
            return view.server();
        }
        synchronized (this) {
            return views.computeIfAbsent(key, this::newView).server();
        }
    }

    private View newView(Set<WorkspaceScopes.Operation> operations) {
        return new View(new EndpointServer(name, selector, operations, catalog, calls, json, settings, modern), System.nanoTime());
    }

    synchronized void select(ToolSelector selector) {
        this.selector = selector;
        views.values().forEach(v -> v.server().select(selector));
    }

    ToolSelector selector() {
        return selector;
    }

    synchronized void sync() {
        views.values().forEach(v -> v.server().sync());
    }

    void resourceUpdated(String uri) {
        views.values().forEach(v -> v.server().resourceUpdated(uri));
    }

    void resetSseSessions() {
        views.values().forEach(v -> v.server().resetSseSessions());
    }

    /** Every tool the endpoint publishes: what a credential with every operation sees. */
    List<String> toolNames() {
        return views.get(FULL).server().toolNames();
    }

    /** Closes the views (other than the full one) that none of these operation sets needs. */
    void retain(Set<Set<WorkspaceScopes.Operation>> needed) {
        retain(needed, KEEP_NEW_VIEWS_NANOS);
    }

    synchronized void retain(Set<Set<WorkspaceScopes.Operation>> needed, long keepNewerThanNanos) {
        long now = System.nanoTime();
        for (var entry : new ArrayList<>(views.entrySet())) {
            if (!entry.getKey().equals(FULL) && !needed.contains(entry.getKey())
                    && now - entry.getValue().createdAt() >= keepNewerThanNanos) {
                views.remove(entry.getKey());
                entry.getValue().server().close();
            }
        }
    }

    /** How many views are open now (for tests and the admin API). */
    int viewCount() {
        return views.size();
    }

    synchronized void close() {
        views.values().forEach(v -> v.server().close());
        views.clear();
    }
}
