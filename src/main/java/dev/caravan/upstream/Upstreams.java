package dev.caravan.upstream;

import dev.caravan.catalog.Catalog;
import dev.caravan.core.CallContext;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The upstreams in use: one connection and one catalogue source each. {@link #apply} brings them in line with a
 * new declaration: removed or changed upstreams are disconnected and leave the catalogue, new or changed ones
 * join it and connect in the background; unchanged ones are not touched.
 */
public class Upstreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

    private final Catalog catalog;
    private final UpstreamClientFactory factory;
    private final Timings timings;
    private final Function<String, String> variables;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private List<UpstreamConfig> declared = List.of();
    private List<UpstreamConfig> managed = List.of();
    private Set<String> heldBack = Set.of();
    private boolean closed;
    private volatile CallListener callListener = (upstream, outcome, nanos) -> { };

    private record Entry(UpstreamConnection connection, UpstreamSource source) {
    }

    public Upstreams(Catalog catalog, UpstreamClientFactory factory, Duration healthInterval, Duration backoffInitial,
                     Duration backoffMax, Function<String, String> variables) {
        this(catalog, factory, healthInterval, backoffInitial, backoffMax, Timings.DEFAULT_MAX_CONCURRENT_CALLS, variables);
    }

    /** @param maxConcurrentCalls the bulkhead of an upstream that sets none ({@code max-concurrent-calls}) */
    public Upstreams(Catalog catalog, UpstreamClientFactory factory, Duration healthInterval, Duration backoffInitial,
                     Duration backoffMax, int maxConcurrentCalls, Function<String, String> variables) {
        this.catalog = catalog;
        this.factory = factory;
        this.timings = new Timings(healthInterval, backoffInitial, backoffMax, maxConcurrentCalls);
        this.variables = variables;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "caravan-upstream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The declaration of connectors/upstreams.yaml (all of it). */
    public synchronized void apply(List<UpstreamConfig> configs) {
        declared = List.copyOf(configs);
        sync();
    }

    /**
     * The upstreams managed through the admin API (all of them). One whose name the file declares too is held
     * back, loudly: the file's declaration runs (see {@link #heldBack()}).
     */
    public synchronized void applyManaged(List<UpstreamConfig> configs) {
        managed = List.copyOf(configs);
        sync();
    }

    /** The names connectors/upstreams.yaml declares. */
    public synchronized Set<String> declaredNames() {
        Set<String> names = new LinkedHashSet<>();
        declared.forEach(c -> names.add(c.name()));
        return names;
    }

    /** API-managed upstreams not running because upstreams.yaml declares the same name. */
    public synchronized Set<String> heldBack() {
        return heldBack;
    }

    /** The declaration in use under this name, or null. */
    public synchronized UpstreamConfig config(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.connection().config();
    }

    private void sync() {
        if (closed) {
            return;
        }
        Map<String, UpstreamConfig> wanted = new LinkedHashMap<>();
        declared.forEach(c -> wanted.put(c.name(), c));
        Set<String> conflicts = new LinkedHashSet<>();
        for (UpstreamConfig c : managed) {
            if (wanted.containsKey(c.name())) {
                conflicts.add(c.name());
            } else {
                wanted.put(c.name(), c);
            }
        }
        for (String name : conflicts) {
            if (!heldBack.contains(name)) {
                log.error("Upstream {} is declared in upstreams.yaml and also managed through the admin API; the "
                        + "file's declaration runs. Delete one of them (DELETE /admin/api/upstreams/{} or the file "
                        + "entry)", name, name);
            }
        }
        heldBack = Set.copyOf(conflicts);
        for (String name : new ArrayList<>(entries.keySet())) {
            UpstreamConfig now = wanted.get(name);
            if (now == null || !now.equals(entries.get(name).connection().config())) {
                Entry gone = entries.remove(name);
                catalog.removeSource(gone.source());
                gone.connection().close();
                log.info("Upstream {} {}", name, now == null ? "removed" : "reconfigured");
            }
        }
        wanted.forEach((name, config) -> {
            if (!entries.containsKey(name)) {
                UpstreamConnection connection = new UpstreamConnection(config, factory, scheduler, timings,
                        new Secrets(variables));
                connection.onCall((upstream, outcome, nanos) -> callListener.finished(upstream, outcome, nanos));
                UpstreamSource source = new UpstreamSource(connection);
                entries.put(name, new Entry(connection, source));
                catalog.addSource(source);
                connection.start();
            }
        });
    }

    public synchronized List<UpstreamStatus> statuses() {
        return entries.values().stream().map(e -> e.connection().status(e.source().exportedNames())).toList();
    }

    /** The status of one upstream, or null when none has that name. */
    public synchronized UpstreamStatus status(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.connection().status(e.source().exportedNames());
    }

    /**
     * Calls a tool of an upstream by the upstream's own tool name (what route steps use). The result is returned
     * as the upstream sent it, isError included.
     *
     * @param timeout null for the upstream's configured call timeout
     */
    public McpSchema.CallToolResult call(String upstream, String tool, Map<String, Object> arguments,
                                         CallContext context, Duration timeout) {
        Entry e;
        synchronized (this) {
            e = entries.get(upstream);
        }
        if (e == null) {
            throw new UpstreamCallException(upstream, UpstreamCallException.Kind.UNKNOWN_UPSTREAM,
                    "There is no upstream named '" + upstream + "' (upstreams.yaml or the admin API).");
        }
        return e.connection().call(tool, arguments, context == null ? CallContext.none() : context, timeout);
    }

    /** Told of every tool call relayed to an upstream, by route steps and re-exported tools alike. */
    @FunctionalInterface
    public interface CallListener {
        /** @param outcome ok, tool_error (an isError result), unavailable, timeout, cancelled, failed or error */
        void finished(String upstream, String outcome, long nanos);
    }

    /** One listener (metrics), set once at start. */
    public void onCall(CallListener listener) {
        this.callListener = listener;
    }

    /** Reconnects an upstream now (after an OAuth authorisation, or from the admin API). False if unknown. */
    public synchronized boolean reconnect(String name) {
        Entry e = entries.get(name);
        if (e != null) {
            e.connection().reconnectNow();
        }
        return e != null;
    }

    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(entries.values());
            entries.clear();
        }
        all.forEach(e -> {
            try {
                catalog.removeSource(e.source());
            } catch (RuntimeException ex) {
                // shutting down: the endpoints may be gone already
            }
            e.connection().close();
        });
        scheduler.shutdownNow();
    }
}
