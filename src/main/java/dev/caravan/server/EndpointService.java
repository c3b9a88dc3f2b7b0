package dev.caravan.server;

import dev.caravan.web.ApiException;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.store.CredentialRecord;
import dev.caravan.store.CredentialRepository;
import dev.caravan.store.EndpointRecord;
import dev.caravan.store.EndpointRepository;
import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Publishing: endpoints created through the admin API (stored) or declared in configuration (read at start),
 * their credentials, and the check of a presented secret.
 */
public class EndpointService {
    private static final Logger log = LoggerFactory.getLogger(EndpointService.class);
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
    private static final Pattern CREDENTIAL_NAME = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,63}$");
    private static final long TOUCH_EVERY_SECONDS = 60;
    /** How long a credential read from the database is trusted before it is read again. */
    private static final long RECHECK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
    public static final String DEFAULT_CREDENTIAL = "default";

    private final EndpointRepository endpoints;
    private final CredentialRepository credentials;
    private final EndpointRuntime runtime;
    private final TransactionTemplate tx;
    private final Map<String, Declared> declared = new LinkedHashMap<>();
    private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();
    private final List<Runnable> credentialsChanged = new CopyOnWriteArrayList<>();
    private volatile Function<String, Set<Set<WorkspaceScopes.Operation>>> alsoNeeded = e -> Set.of();

    private record Declared(List<String> tools, String tokenHash, boolean enabled) {
    }

    /** A credential as the database had it at {@code readAt} ({@link System#nanoTime()}). */
    private record Checked(CredentialRecord credential, long readAt) {
    }

    /** What the admin API shows of an endpoint; never a secret. */
    public record View(String name, List<String> tools, boolean enabled, String source, List<String> exposedTools,
                       List<CredentialView> credentials) {
    }

    /** A credential without its secret: when it was made and used, when it ends, and its workspace scopes. */
    public record CredentialView(String name, Instant createdAt, Instant lastUsedAt, Instant expiresAt,
                                 List<String> workspaces, List<String> operations) {
        static CredentialView of(CredentialRecord c) {
            return new CredentialView(c.name(), c.createdAt(), c.lastUsedAt(), c.expiresAt(), c.scopes().workspaces(),
                    c.scopes().operationIds());
        }
    }

    public EndpointService(EndpointRepository endpoints, CredentialRepository credentials, EndpointRuntime runtime,
                           TransactionTemplate tx, McpServerProperties properties,
                           UnaryOperator<String> environment) {
        this.endpoints = endpoints;
        this.credentials = credentials;
        this.runtime = runtime;
        this.tx = tx;
        properties.getEndpoints().forEach((name, d) -> declare(name, d, environment));
    }

    private void declare(String name, McpServerProperties.DeclaredEndpoint d,
                         UnaryOperator<String> environment) {
        checkName(name);
        ToolSelector.check(d.getTools());
        String token = d.getTokenEnv() == null ? null : environment.apply(d.getTokenEnv());
        if (d.getOauth() != null && d.getTokenEnv() == null) {
            // Opened by access tokens only (see EndpointTokens): no key matches the null hash.
            declared.put(name, new Declared(List.copyOf(d.getTools()), null, d.isEnabled()));
            return;
        }
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("Endpoint '" + name + "' is declared in configuration but its token is "
                    + "missing: set caravan.endpoints." + name + ".token-env to the name of an environment variable "
                    + "that holds the token" + (d.getTokenEnv() == null ? "" : " (" + d.getTokenEnv() + " is unset)"));
        }
        declared.put(name, new Declared(List.copyOf(d.getTools()), Credentials.hash(token), d.isEnabled()));
    }

    /** Serves every enabled endpoint; called once at start. */
    public void start() {
        declared.forEach((name, d) -> {
            if (d.enabled()) {
                runtime.publish(name, new ToolSelector(d.tools()));
            }
        });
        for (EndpointRecord e : endpoints.findAll()) {
            if (declared.containsKey(e.name())) {
                log.warn("Endpoint '{}' is declared in configuration and also stored; the configuration wins", e.name());
            }
        }
        reconcile();
    }

    /**
     * Serves what the database says (synchronized with this node's own changes, so a reconcile that read the
     * database just before a create or update cannot undo it): endpoints created, changed, disabled or deleted by another node sharing the
     * database appear here too. Credentials need no such step: every request checks them in the database.
     */
    public synchronized void reconcile() {
        Map<String, EndpointRecord> stored = new LinkedHashMap<>();
        endpoints.findAll().stream().filter(e -> !declared.containsKey(e.name())).forEach(e -> stored.put(e.name(), e));
        stored.values().forEach(e -> {
            if (!e.enabled()) {
                runtime.withdraw(e.name());
            } else if (!e.tools().equals(runtime.patterns(e.name()))) {
                runtime.publish(e.name(), new ToolSelector(e.tools()));
            }
            if (e.enabled()) {
                retainViews(e.name());
            }
        });
        runtime.names().stream().filter(n -> !declared.containsKey(n) && !stored.containsKey(n)).forEach(runtime::withdraw);
    }

    /** Creates an endpoint and its first credential; returns the token, which is not kept. */
    public synchronized String create(String name, List<String> tools) {
        checkName(name);
        checkTools(tools);
        if (declared.containsKey(name) || endpoints.find(name).isPresent()) {
            throw ApiException.conflict("An endpoint named '" + name + "' exists already");
        }
        Instant now = Instant.now();
        String token = Credentials.newToken();
        tx.executeWithoutResult(s -> {
            endpoints.insert(new EndpointRecord(name, List.copyOf(tools), true, now, now));
            credentials.insert(new CredentialRecord(UUID.randomUUID().toString(), name, DEFAULT_CREDENTIAL,
                    Credentials.hash(token), now, null, null));
        });
        runtime.publish(name, new ToolSelector(tools));
        return token;
    }

    public List<View> list() {
        List<View> out = new ArrayList<>();
        declared.keySet().forEach(n -> out.add(view(n).orElseThrow()));
        endpoints.findAll().stream().filter(e -> !declared.containsKey(e.name()))
                .forEach(e -> out.add(view(e.name()).orElseThrow()));
        return out;
    }

    public Optional<View> view(String name) {
        Declared d = declared.get(name);
        if (d != null) {
            return Optional.of(new View(name, d.tools(), d.enabled(), "configuration", runtime.toolNames(name), List.of()));
        }
        return endpoints.find(name).map(e -> new View(e.name(), e.tools(), e.enabled(), "api",
                runtime.toolNames(name), credentials.findByEndpoint(name).stream().map(CredentialView::of).toList()));
    }

    /** The tools an endpoint publishes right now; none when it is disabled or unknown. Read from memory. */
    public List<String> publishedTools(String name) {
        return runtime.toolNames(name);
    }

    public synchronized View update(String name, Boolean enabled, List<String> tools) {
        EndpointRecord e = stored(name);
        if (tools != null) {
            checkTools(tools);
        }
        EndpointRecord changed = new EndpointRecord(name, tools == null ? e.tools() : List.copyOf(tools),
                enabled == null ? e.enabled() : enabled, e.createdAt(), Instant.now());
        endpoints.update(changed);
        forget(name);
        if (changed.enabled()) {
            runtime.publish(name, new ToolSelector(changed.tools()));
        } else {
            runtime.withdraw(name);
        }
        return view(name).orElseThrow();
    }

    public synchronized void delete(String name) {
        stored(name);
        endpoints.delete(name);
        forget(name);
        runtime.withdraw(name);
    }

    /**
     * Issues a new secret. The previous ones stop at once, or after {@code graceSeconds} so that clients can
     * switch over; legacy SSE sessions (authenticated once, at connect) are ended when the old secret ends.
     */
    public synchronized String regenerate(String name, long graceSeconds) {
        stored(name);
        if (graceSeconds < 0 || graceSeconds > 7 * 24 * 3600) {
            throw ApiException.invalid("graceSeconds must be between 0 and 604800 (7 days)");
        }
        Instant now = Instant.now();
        Instant oldEnds = now.plusSeconds(graceSeconds);
        String token = Credentials.newToken();
        tx.executeWithoutResult(s -> {
            credentials.expireNamed(name, DEFAULT_CREDENTIAL, oldEnds);
            credentials.insert(new CredentialRecord(UUID.randomUUID().toString(), name, DEFAULT_CREDENTIAL,
                    Credentials.hash(token), now, null, null));
        });
        forget(name);
        if (graceSeconds == 0) {
            runtime.resetSseSessions(name);
        } else {
            CompletableFuture.delayedExecutor(graceSeconds, TimeUnit.SECONDS)
                    .execute(() -> runtime.resetSseSessions(name));
        }
        return token;
    }

    /** The caller this token identifies on this endpoint now, or null when it does not open it. */
    public Caller authenticate(String name, String token) {
        if (token == null || token.isEmpty() || token.length() > 512) {
            return null;
        }
        return authenticateHash(name, Credentials.hash(token));
    }

    /**
     * The caller a credential, known by its hash, identifies on this endpoint now, or null. Sessions and held-open
     * streams keep only the hash of the secret that opened them and re-check it here (through the cache).
     */
    Caller authenticateHash(String name, String hash) {
        Declared d = declared.get(name);
        if (d != null) {
            return Credentials.sameHash(d.tokenHash(), hash) ? new Caller(name, "declared", WorkspaceScopes.ALL) : null;
        }
        CredentialRecord c = credential(hash);
        if (c == null) {
            return null;
        }
        Instant now = Instant.now();
        if (!c.endpoint().equals(name) || !c.activeAt(now) || !Credentials.sameHash(c.tokenHash(), hash)) {
            return null;
        }
        Instant touched = lastTouched.get(c.id());
        if (touched == null || touched.isBefore(now.minusSeconds(TOUCH_EVERY_SECONDS))) {
            lastTouched.put(c.id(), now);
            credentials.touch(c.id(), now);
        }
        return new Caller(name, c.name(), c.scopes());
    }

    /**
     * Adds a named credential with workspace scopes and an optional end; returns the token, which is not kept.
     * Scopes are fixed for the credential's life (a session's tool list depends on them): to change them, create
     * another credential and delete this one.
     */
    public synchronized String createCredential(String endpoint, String credentialName, WorkspaceScopes scopes,
                                                Instant expiresAt) {
        stored(endpoint);
        if (credentialName == null || !CREDENTIAL_NAME.matcher(credentialName).matches()) {
            throw ApiException.invalid("Credential name '" + credentialName + "' must be 1-64 lower-case "
                    + "letters, digits, '-', '_' or '.', starting with a letter or digit");
        }
        if (DEFAULT_CREDENTIAL.equals(credentialName)) {
            throw ApiException.conflict("'default' is the endpoint's own credential; renew it with "
                    + "POST /admin/api/endpoints/" + endpoint + "/regenerate");
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ApiException.invalid("expiresAt must be in the future");
        }
        if (credentials.findByEndpoint(endpoint).stream().anyMatch(c -> c.name().equals(credentialName))) {
            throw ApiException.conflict("Endpoint '" + endpoint + "' has a credential named '" + credentialName
                    + "' already; delete it first or choose another name");
        }
        String token = Credentials.newToken();
        credentials.insert(new CredentialRecord(UUID.randomUUID().toString(), endpoint, credentialName,
                Credentials.hash(token), Instant.now(), null, expiresAt, scopes));
        if (expiresAt != null) {
            // Legacy SSE sessions authenticated once, at connect: end them when the credential ends.
            long seconds = Math.max(1, Duration.between(Instant.now(), expiresAt).toSeconds() + 1);
            CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS)
                    .execute(() -> runtime.resetSseSessions(endpoint));
        }
        return token;
    }

    public List<CredentialView> credentials(String endpoint) {
        stored(endpoint);
        return credentials.findByEndpoint(endpoint).stream().map(CredentialView::of).toList();
    }

    /** Removes the named credential at once; the endpoint's legacy SSE sessions are ended (they reconnect). */
    public synchronized void deleteCredential(String endpoint, String credentialName) {
        stored(endpoint);
        if (DEFAULT_CREDENTIAL.equals(credentialName)) {
            throw ApiException.conflict("'default' is the endpoint's own credential; renew it with "
                    + "POST /admin/api/endpoints/" + endpoint + "/regenerate, or delete the endpoint");
        }
        if (credentials.deleteNamed(endpoint, credentialName) == 0) {
            throw ApiException.notFound("Endpoint '" + endpoint + "' has no credential named '" + credentialName + "'");
        }
        forget(endpoint);
        runtime.resetSseSessions(endpoint);
        retainViews(endpoint);
    }

    /** Lets the endpoint close the tool views no active credential needs any more. */
    private void retainViews(String endpoint) {
        Instant now = Instant.now();
        Set<Set<WorkspaceScopes.Operation>> needed = credentials.findByEndpoint(endpoint).stream()
                .filter(c -> c.activeAt(now)).map(c -> c.scopes().operations()).collect(Collectors.toSet());
        needed.addAll(alsoNeeded.apply(endpoint));
        runtime.retainViews(endpoint, needed);
    }

    /** Tool views that holders of something other than credentials (access tokens) need kept open. */
    public void alsoRetainViews(Function<String, Set<Set<WorkspaceScopes.Operation>>> needed) {
        this.alsoNeeded = needed;
    }

    /**
     * The caller a token identifies now (a declared endpoint's token or a stored credential, with its scopes), for
     * the faces beside MCP that take the same secrets, such as the HTTP file API.
     */
    public Optional<Caller> callerFor(String token) {
        if (token == null || token.isEmpty() || token.length() > 512) {
            return Optional.empty();
        }
        String hash = Credentials.hash(token);
        for (Map.Entry<String, Declared> d : declared.entrySet()) {
            if (Credentials.sameHash(d.getValue().tokenHash(), hash)) {
                return Optional.of(new Caller(d.getKey(), "declared"));
            }
        }
        CredentialRecord c = credential(hash);
        return c == null ? Optional.empty() : Optional.ofNullable(authenticate(c.endpoint(), token));
    }

    /**
     * The stored credential with this hash. Every MCP request asks, so a credential found is kept for a moment
     * rather than read again each time: changes made through this service apply at once ({@link #forget}),
     * changes another node makes to a shared database within {@link #RECHECK_AFTER_NANOS}. Only credentials that
     * exist are kept, so unknown tokens cannot fill the map.
     */
    private CredentialRecord credential(String hash) {
        long now = System.nanoTime();
        Checked known = checked.get(hash);
        if (known != null && now - known.readAt() < RECHECK_AFTER_NANOS) {
            return known.credential();
        }
        CredentialRecord found = credentials.findByHash(hash).orElse(null);
        if (found == null) {
            checked.remove(hash);
        } else {
            checked.put(hash, new Checked(found, now));
        }
        return found;
    }

    /** Drops the cached credentials of the endpoint and tells the listeners (who close what no longer opens). */
    private void forget(String endpoint) {
        checked.values().removeIf(c -> c.credential().endpoint().equals(endpoint));
        credentialsChanged.forEach(Runnable::run);
    }

    /** Runs {@code listener} after every credential or endpoint change made through this service. */
    void onCredentialsChanged(Runnable listener) {
        credentialsChanged.add(listener);
    }

    private EndpointRecord stored(String name) {
        if (declared.containsKey(name)) {
            throw ApiException.conflict("Endpoint '" + name + "' is declared in configuration; change "
                    + "caravan.endpoints." + name + " instead");
        }
        return endpoints.find(name).orElseThrow(() -> ApiException.notFound("No endpoint named '" + name + "'"));
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.invalid("Endpoint name '" + name + "' must be 1-64 lower-case letters, digits, "
                    + "'-' or '_', starting with a letter or digit");
        }
    }

    private static void checkTools(List<String> tools) {
        try {
            ToolSelector.check(tools);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
    }
}
