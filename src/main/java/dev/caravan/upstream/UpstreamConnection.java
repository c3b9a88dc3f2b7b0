package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import dev.caravan.core.EnvReferences;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The one long-lived SDK client of an upstream. Connects in the background (initialize, then lists tools,
 * resources, templates and prompts), pings it every health interval, and on any failure (a failed ping, a stdio
 * process that exits) drops the client (its features leave the catalogue), then reconnects with exponential
 * backoff. The upstream's own {@code list_changed} notifications replace the matching lists. Every change is
 * announced to the listeners (the catalogue). Requests wait for their answer, their timeout, the caller's
 * cancellation or the loss of the connection, whichever comes first.
 * <p>
 * Each (re)connection attempt has a generation number; callbacks of an older client are ignored, so a late
 * answer from a dropped client can never bring stale tools back.
 */
final class UpstreamConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

    enum State {
        CONNECTING("connecting"), ONLINE("online"), ERROR("error"), DISABLED("disabled"),
        NEEDS_AUTHORIZATION("needs-authorization"), AUTHORIZING("authorizing");

        final String id;

        State(String id) {
            this.id = id;
        }
    }

    private final UpstreamConfig config;
    private final UpstreamClientFactory factory;
    private final ScheduledExecutorService scheduler;
    private final Timings timings;
    private final Secrets secrets;
    private final CallRelay relay;
    private final UpstreamLister lister;
    private final Requests requests;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    // Guarded by this.
    private long generation;
    private UpstreamSession client;
    private Listing listing = Listing.EMPTY;
    private State state = State.CONNECTING;
    private Instant since = Instant.now();
    private String lastError;
    private Instant lastErrorAt;
    private Instant nextAttemptAt;
    private String authorizationUrl;
    private UpstreamAuth waitingFor; // while in needs-authorization: its reason and URL change as a flow goes on
    private volatile UpstreamAuth auth = UpstreamAuth.NONE; // of the last connection attempt
    private int failures;
    private ScheduledFuture<?> next;
    private boolean closed;
    private volatile Upstreams.CallListener callListener = (upstream, outcome, nanos) -> { };
    private final int maxCalls;
    private final Semaphore calls;

    UpstreamConnection(UpstreamConfig config, UpstreamClientFactory factory, ScheduledExecutorService scheduler,
                       Timings timings, Secrets secrets) {
        this.config = config;
        this.factory = factory;
        this.scheduler = scheduler;
        this.timings = timings;
        this.secrets = secrets;
        this.relay = new CallRelay(config.name());
        this.lister = new UpstreamLister(config.name(), config.connectTimeout(), secrets);
        this.requests = new Requests(config.name(), config.callTimeout(), relay, secrets, this::checkSoon);
        this.maxCalls = config.maxConcurrentCalls() > 0 ? config.maxConcurrentCalls() : timings.maxConcurrentCalls();
        this.calls = new Semaphore(maxCalls);
    }

    UpstreamConfig config() {
        return config;
    }

    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    synchronized Listing listing() {
        return listing;
    }

    /** A snapshot for the admin API; {@code exported} are the names this upstream's tools have in the catalogue. */
    synchronized UpstreamStatus status(List<String> exported) {
        boolean waiting = state == State.NEEDS_AUTHORIZATION && waitingFor != null;
        String error = waiting && waitingFor.authorizationReason() != null ? waitingFor.authorizationReason() : lastError;
        String url = waiting ? waitingFor.authorizationUrl() : authorizationUrl;
        return new UpstreamStatus(config.name(), config.transport().id(), config.target(), config.prefix(), state.id,
                exported.size(), exported, listing.resources().size() + listing.templates().size(),
                listing.prompts().size(), error, lastErrorAt, since, nextAttemptAt, url, auth.stepUpScope(),
                client == null ? null : client.protocolVersion(), auth.tokenExpiresAt(), auth.tokenRenewable());
    }

    void start() {
        synchronized (this) {
            if (!config.enabled()) {
                setState(State.DISABLED);
                return;
            }
            connectAfter(Duration.ZERO);
        }
    }

    /** Drops whatever is there and connects again now (for an OAuth flow that has just been completed). */
    void reconnectNow() {
        UpstreamSession old;
        synchronized (this) {
            if (closed || !config.enabled()) {
                return;
            }
            old = client;
            client = null;
            listing = Listing.EMPTY;
            failures = 0;
            setState(State.CONNECTING);
            connectAfter(Duration.ZERO);
        }
        closeQuietly(old);
        fire();
    }

    private void connectAfter(Duration delay) {
        if (closed) {
            return;
        }
        long gen = ++generation;
        if (next != null) {
            next.cancel(false);
        }
        nextAttemptAt = delay.isZero() ? null : Instant.now().plus(delay);
        next = scheduler.schedule(() -> connect(gen), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void connect(long gen) {
        UpstreamSession c = null;
        String phase = "connect";
        try {
            UpstreamAuth auth = factory.auth(config, secrets);
            this.auth = auth;
            if (auth.needsAuthorization()) {
                needsAuthorization(gen, auth);
                return;
            }
            UpstreamClientFactory.Hooks hooks = new UpstreamClientFactory.Hooks(
                    list -> changed(gen, l -> l.withTools(list)), () -> scheduler.execute(() -> relistResources(gen)),
                    list -> changed(gen, l -> l.withPrompts(list)), relay::progress, relay::log,
                    () -> fail(gen, "the process exited", true), relay);
            phase = "discover";
            c = factory.modern(config, auth, secrets, hooks, requests);
            if (c == null) {
                phase = "connect";
                McpAsyncClient legacy = factory.create(config, auth, secrets, hooks);
                c = new LegacySession(legacy, requests, lister, config.connectTimeout());
                phase = "initialize";
                legacy.initialize().timeout(config.connectTimeout()).block();
            }
            phase = "tools/list";
            Listing listed = c.list();
            boolean stale;
            synchronized (this) {
                stale = closed || gen != generation;
                if (!stale) {
                    client = c;
                    listing = listed;
                    failures = 0;
                    nextAttemptAt = null;
                    setState(State.ONLINE);
                    next = scheduler.schedule(() -> check(gen), timings.healthInterval().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
            if (stale) {
                closeQuietly(c);
                return;
            }
            log.info("Upstream {} is online over MCP {} ({} tools, {} resources and templates, {} prompts)",
                    config.name(), c.protocolVersion(), listed.tools().size(),
                    listed.resources().size() + listed.templates().size(), listed.prompts().size());
            fire();
        } catch (EnvReferences.MissingVariable e) {
            fail(gen, e.getMessage(), false);
            closeQuietly(c);
        } catch (RuntimeException e) {
            // Fail first: closing a stdio client ends its process, whose exit must not be taken as the reason.
            fail(gen, phase + ": " + FailureReasons.describe(e, secrets), true);
            closeQuietly(c);
        }
    }

    private void check(long gen) {
        UpstreamSession c;
        synchronized (this) {
            if (closed || gen != generation || client == null) {
                return;
            }
            c = client;
        }
        try {
            c.ping();
            synchronized (this) {
                if (!closed && gen == generation) {
                    next = scheduler.schedule(() -> check(gen), timings.healthInterval().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
        } catch (RuntimeException e) {
            fail(gen, "ping: " + FailureReasons.describe(e, secrets), true);
        }
    }

    /** A call hit a transport failure: check the connection now rather than at the next health tick. */
    private void checkSoon() {
        synchronized (this) {
            if (closed || client == null) {
                return;
            }
            long gen = generation;
            if (next != null) {
                next.cancel(false);
            }
            next = scheduler.schedule(() -> check(gen), 0, TimeUnit.MILLISECONDS);
        }
    }

    /** The upstream announced a list change (and the SDK re-listed): apply it unless the client is stale. */
    private void changed(long gen, UnaryOperator<Listing> change) {
        synchronized (this) {
            if (closed || gen != generation || state != State.ONLINE) {
                return;
            }
            listing = change.apply(listing);
        }
        log.debug("Upstream {} changed its list", config.name());
        fire();
    }

    /** The SDK re-lists resources on resources/list_changed but not templates: re-list both here. */
    private void relistResources(long gen) {
        UpstreamSession c;
        synchronized (this) {
            if (closed || gen != generation || client == null) {
                return;
            }
            c = client;
        }
        Listing relisted = c.relistResources();
        changed(gen, l -> l.withResources(relisted.resources(), relisted.templates()));
    }

    private void fail(long gen, String reason, boolean retry) {
        UpstreamSession old;
        Duration delay;
        synchronized (this) {
            if (closed || gen != generation) {
                return;
            }
            old = client;
            client = null;
            listing = Listing.EMPTY;
            lastError = reason;
            lastErrorAt = Instant.now();
            failures++;
            setState(State.ERROR);
            delay = retry ? timings.backoff(failures) : null;
            if (retry) {
                connectAfter(delay);
            } else {
                generation++;
                nextAttemptAt = null;
            }
        }
        if (failures == 1 || old != null) {
            log.warn("Upstream {} is down: {}{}", config.name(), reason,
                    delay == null ? "" : " (retrying with backoff, next in " + delay.toMillis() + " ms)");
        } else {
            log.debug("Upstream {} still down: {}", config.name(), reason);
        }
        relay.abortAll(reason);
        closeQuietly(old);
        fire();
    }

    private void needsAuthorization(long gen, UpstreamAuth auth) {
        synchronized (this) {
            if (closed || gen != generation) {
                return;
            }
            authorizationUrl = auth.authorizationUrl();
            waitingFor = auth;
            lastError = auth.authorizationReason();
            lastErrorAt = Instant.now();
            nextAttemptAt = null;
            setState(auth.authorizing() ? State.AUTHORIZING : State.NEEDS_AUTHORIZATION);
        }
        log.warn("Upstream {} needs authorization: {}", config.name(), auth.authorizationReason());
        fire();
    }

    /**
     * Calls a tool by the upstream's own name, waiting at most {@code timeout} (null: the configured call timeout).
     * Returns the upstream's result as it is (isError included); throws {@link UpstreamCallException} when no
     * result came. The caller's progress token, if any, is replaced by one of ours and progress relayed back.
     */
    McpSchema.CallToolResult call(String tool, Map<String, Object> arguments, CallContext context, Duration timeout) {
        // The bulkhead: a hung upstream holds at most maxCalls callers (each a thread of the dispatcher's call pool,
        // not a request thread) until its timeout.
        if (!calls.tryAcquire()) {
            callListener.finished(config.name(), "busy", 0);
            throw new UpstreamCallException(config.name(), UpstreamCallException.Kind.UNAVAILABLE, "Upstream '"
                    + config.name() + "' is busy: " + maxCalls + " calls to it are in flight already, its limit "
                    + "(max-concurrent-calls); try again shortly");
        }
        long start = System.nanoTime();
        String outcome = "error";
        try {
            McpSchema.CallToolResult result = callNow(tool, arguments, context, timeout);
            outcome = Boolean.TRUE.equals(result.isError()) ? "tool_error" : "ok";
            return result;
        } catch (UpstreamCallException e) {
            outcome = e.kind().name().toLowerCase();
            throw e;
        } finally {
            calls.release();
            callListener.finished(config.name(), outcome, System.nanoTime() - start);
        }
    }

    private McpSchema.CallToolResult callNow(String tool, Map<String, Object> arguments, CallContext context,
                                             Duration timeout) {
        return clientOrThrow().callTool(tool, arguments, context, timeout);
    }

    /** Told of every tool call relayed to this upstream (metrics). */
    void onCall(Upstreams.CallListener listener) {
        this.callListener = listener;
    }

    McpSchema.ReadResourceResult readResource(String uri, CallContext context) {
        return clientOrThrow().readResource(uri, context);
    }

    McpSchema.GetPromptResult getPrompt(String prompt, Map<String, Object> arguments, CallContext context) {
        return clientOrThrow().getPrompt(prompt, arguments, context);
    }

    /** Passes completion/complete on (see {@link UpstreamSession#complete}). */
    McpSchema.CompleteResult complete(McpSchema.CompleteRequest request, CallContext context) {
        return clientOrThrow().complete(request, context);
    }

    /** The client to send a request with, or the reason (for the caller) why there is none. */
    private UpstreamSession clientOrThrow() {
        synchronized (this) {
            if (client == null || state != State.ONLINE) {
                throw new UpstreamCallException(config.name(), UpstreamCallException.Kind.UNAVAILABLE,
                        unavailable());
            }
            return client;
        }
    }

    private String unavailable() {
        String upstream = "Upstream '" + config.name() + "'";
        return switch (state) {
            case DISABLED -> upstream + " is disabled in upstreams.yaml.";
            case NEEDS_AUTHORIZATION, AUTHORIZING -> upstream + " needs authorization first"
                    + (lastError == null ? "" : " (" + lastError + ")") + ".";
            case CONNECTING -> upstream + " is still connecting; try again in a moment.";
            default -> upstream + " is not reachable" + (lastError == null ? "" : " (" + lastError + ")")
                    + "; its tools cannot be called now. Try again later.";
        };
    }

    private void setState(State s) {
        if (s != State.NEEDS_AUTHORIZATION && s != State.AUTHORIZING) {
            authorizationUrl = null;
            waitingFor = null;
        }
        if (state != s) {
            state = s;
            since = Instant.now();
        }
    }

    private void fire() {
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.warn("A listener of upstream {} failed", config.name(), e);
            }
        }
    }

    private static void closeQuietly(UpstreamSession c) {
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void close() {
        UpstreamSession old;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            if (next != null) {
                next.cancel(false);
            }
            old = client;
            client = null;
            listing = Listing.EMPTY;
        }
        relay.abortAll("the upstream was removed or reconfigured");
        closeQuietly(old);
    }
}
