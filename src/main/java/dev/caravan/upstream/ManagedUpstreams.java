package dev.caravan.upstream;

import com.fasterxml.jackson.core.JsonParser;
import dev.caravan.web.ApiException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.Periodic;
import dev.caravan.store.ManagedUpstreamRecord;
import dev.caravan.store.ManagedUpstreamRepository;
import dev.caravan.core.TokenCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Upstreams created, changed and deleted through the admin API. The database holds them (V31), so they survive a
 * restart and every node sharing the database serves them: {@link #reconcile()} runs after each change here and
 * every few seconds for changes made elsewhere, and hands the set to {@link Upstreams}. Declarations are the
 * same fields as in {@code upstreams.yaml}, checked by the same parser. Literal secrets (auth token, header
 * values, client secret, stdio env values) are sealed with AES-GCM at rest and shown as {@code ***}; a
 * {@code ${ENV}} reference is kept and shown as written.
 */
class ManagedUpstreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagedUpstreams.class);
    public static final String MASK = "***";
    private static final String SEALED = "sealed:";
    private static final int MAX_STORED = 16000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String EXAMPLE = "{\"name\":\"docs\",\"transport\":\"streamable-http\","
            + "\"url\":\"https://example.com/mcp\"}";

    private final ManagedUpstreamRepository repository;
    private final Upstreams upstreams;
    private final Supplier<TokenCipher> key;
    private final boolean allowStdio;
    private final Consumer<String> forgetCredentials;
    private volatile TokenCipher cipher;
    private Map<String, Loaded> loaded = Map.of();
    private Map<String, String> problems = Map.of();
    private Periodic timer;

    /** A stored row as this node uses it: the row's text, its declaration with secrets opened, the config. */
    private record Loaded(String text, Map<String, Object> plain, UpstreamConfig config) {
    }

    /**
     * What the admin API shows of an upstream.
     *
     * @param source      api or file
     * @param declaration the API declaration, literal secrets as {@code ***} (null for file upstreams)
     * @param problem     why a stored declaration does not run (held back by the file, cannot be decrypted), or null
     * @param status      the running upstream's status, or null when it does not run
     */
    public record View(String name, String source, Map<String, Object> declaration, String problem,
                       UpstreamStatus status) {
    }

    /**
     * @param key               read (or generated) when a secret is first sealed or opened
     * @param forgetCredentials drops the OAuth grant kept for an upstream that is deleted
     */
    public ManagedUpstreams(ManagedUpstreamRepository repository, Upstreams upstreams, Supplier<TokenCipher> key,
                            boolean allowStdio, Consumer<String> forgetCredentials) {
        this.repository = repository;
        this.upstreams = upstreams;
        this.key = key;
        this.allowStdio = allowStdio;
        this.forgetCredentials = forgetCredentials;
    }

    /** Reads the database now and then every {@code interval}. */
    public synchronized void start(Duration interval) {
        reconcile();
        timer = Periodic.every("upstreams-reconcile", interval, this::reconcile).start();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.close();
        }
    }

    /**
     * Serves what the database says. Rows whose text did not change keep their config (so their connection is
     * not touched); a row that cannot be used is left out and reported in its view and the log.
     */
    public synchronized void reconcile() {
        Map<String, Loaded> next = new LinkedHashMap<>();
        Map<String, String> nextProblems = new LinkedHashMap<>();
        for (ManagedUpstreamRecord row : repository.findAll()) {
            Loaded old = loaded.get(row.name());
            if (old != null && old.text().equals(row.declaration())) {
                next.put(row.name(), old);
                continue;
            }
            try {
                Map<String, Object> plain = opened(row.name(), JSON.readValue(row.declaration(), MAP));
                next.put(row.name(), new Loaded(row.declaration(), plain, UpstreamConfigParser.upstream(plain)));
            } catch (JsonProcessingException | RuntimeException e) {
                String reason = e instanceof JsonProcessingException ? "its stored declaration is not JSON"
                        : e.getMessage();
                nextProblems.put(row.name(), reason);
                if (!reason.equals(problems.get(row.name()))) {
                    log.error("API-managed upstream {} cannot be used: {}", row.name(), reason);
                }
            }
        }
        loaded = next;
        problems = nextProblems;
        upstreams.applyManaged(next.values().stream().map(Loaded::config).toList());
    }

    public synchronized View create(String body) {
        Map<String, Object> declaration = body(body);
        checkSecretsGiven(declaration, null);
        UpstreamConfig config = checked(declaration);
        refuseFileDeclared(config.name());
        if (repository.find(config.name()).isPresent()) {
            throw ApiException.conflict("An upstream named '" + config.name() + "' exists already; "
                    + "change it with PUT or PATCH /admin/api/upstreams/" + config.name());
        }
        Instant now = Instant.now();
        try {
            repository.insert(new ManagedUpstreamRecord(config.name(), stored(config.name(), declaration), now, now));
        } catch (DuplicateKeyException raced) {
            throw ApiException.conflict("An upstream named '" + config.name() + "' exists already");
        }
        reconcile();
        log.info("Upstream {} created through the admin API", config.name());
        return view(config.name()).orElseThrow();
    }

    /** PUT: the whole declaration anew; a secret given as {@code ***} keeps its stored value. */
    public synchronized View replace(String name, String body) {
        Map<String, Object> current = current(name);
        Map<String, Object> declaration = body(body);
        return store(name, declaration, current);
    }

    /**
     * PATCH: the top-level fields the body names replace the stored ones (a whole {@code auth} or
     * {@code timeouts} at a time), {@code null} removes a field; a secret given as {@code ***} keeps its value.
     */
    public synchronized View patch(String name, String body) {
        Map<String, Object> current = current(name);
        Map<String, Object> merged = copy(current);
        body(body).forEach((k, v) -> {
            if (v == null) {
                merged.remove(k);
            } else {
                merged.put(k, v);
            }
        });
        return store(name, merged, current);
    }

    public synchronized void delete(String name) {
        refuseFileDeclared(name);
        if (!repository.delete(name)) {
            throw notFound(name);
        }
        reconcile();
        forgetCredentials.accept(name);
        log.info("Upstream {} deleted through the admin API", name);
    }

    /** The view of an upstream from either source, or empty when there is none. */
    public synchronized Optional<View> view(String name) {
        if (upstreams.declaredNames().contains(name)) {
            return Optional.of(new View(name, "file", null, null, upstreams.status(name)));
        }
        return apiView(name);
    }

    private Optional<View> apiView(String name) {
        Loaded l = loaded.get(name);
        if (l != null) {
            String problem = upstreams.heldBack().contains(name) ? "upstreams.yaml declares an upstream of the same "
                    + "name, which runs instead; delete this one or rename the file's" : null;
            return Optional.of(new View(name, "api", masked(l.plain()), problem,
                    problem == null ? upstreams.status(name) : null));
        }
        String problem = problems.get(name);
        return problem == null ? Optional.empty() : Optional.of(new View(name, "api", null, problem, null));
    }

    /** Every API-managed upstream, including those that do not run (see {@link View#problem()}). */
    public synchronized List<View> managed() {
        List<String> names = new ArrayList<>(loaded.keySet());
        problems.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
        return names.stream().map(n -> apiView(n).orElseThrow()).toList();
    }

    private View store(String name, Map<String, Object> declaration, Map<String, Object> current) {
        Object given = declaration.get("name");
        if (given == null) {
            declaration.put("name", name);
        } else if (!name.equals(String.valueOf(given))) {
            throw ApiException.invalid("The body names '" + given + "' but the path '" + name
                    + "'; to rename an upstream, create the new one and delete the old");
        }
        checkSecretsGiven(declaration, current);
        checked(declaration);
        if (!repository.update(new ManagedUpstreamRecord(name, stored(name, declaration), null, Instant.now()))) {
            throw notFound(name);
        }
        reconcile();
        log.info("Upstream {} changed through the admin API", name);
        return view(name).orElseThrow();
    }

    /** The stored declaration with its secrets opened; 409 for a file upstream, 404 when there is none. */
    private Map<String, Object> current(String name) {
        refuseFileDeclared(name);
        ManagedUpstreamRecord row = repository.find(name).orElseThrow(() -> notFound(name));
        try {
            return opened(name, JSON.readValue(row.declaration(), MAP));
        } catch (JsonProcessingException e) {
            throw ApiException.internal("The stored declaration of '" + name + "' is not JSON; replace "
                    + "it with DELETE and POST");
        } catch (IllegalArgumentException e) {
            throw ApiException.conflict(e.getMessage() + "; replace it with DELETE and POST");
        }
    }

    private void refuseFileDeclared(String name) {
        if (upstreams.declaredNames().contains(name)) {
            throw ApiException.conflict("Upstream '" + name + "' is declared in connectors/upstreams.yaml "
                    + "and is read-only here: edit connectors/upstreams.yaml to change it");
        }
    }

    private UpstreamConfig checked(Map<String, Object> declaration) {
        UpstreamConfig config;
        try {
            config = UpstreamConfigParser.upstream(declaration);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        if (config.transport() == UpstreamConfig.Transport.STDIO && !allowStdio) {
            throw ApiException.forbidden("stdio upstreams run a command on every Caravan node, so the "
                    + "admin API does not create them: declare it in connectors/upstreams.yaml (or set "
                    + "caravan.upstream.api-allows-stdio=true)");
        }
        return config;
    }

    private static Map<String, Object> body(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.invalid("Send the upstream's declaration as a JSON object, e.g. " + EXAMPLE);
        }
        try {
            Object parsed = JSON.readValue(body, Object.class);
            if (!(parsed instanceof Map<?, ?>)) {
                throw ApiException.invalid("The body must be a JSON object, e.g. " + EXAMPLE);
            }
            return JSON.readValue(body, MAP);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("The body is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage());
        }
    }

    /** Every {@code ***} must stand for a value stored before (PUT/PATCH); on create there is none. */
    private static void checkSecretsGiven(Map<String, Object> declaration, Map<String, Object> current) {
        SecretFields.each(declaration, (path, value) -> {
            if (!MASK.equals(value)) {
                return value;
            }
            String kept = current == null ? null : SecretFields.get(current, path);
            if (kept == null) {
                throw ApiException.invalid(path + " is '***', but there is no stored value to keep: send "
                        + "the value itself or a ${ENV} reference");
            }
            return kept;
        });
    }

    private String stored(String name, Map<String, Object> declaration) {
        Map<String, Object> sealed = copy(declaration);
        SecretFields.each(sealed, (path, value) -> SecretFields.isReference(value) ? value
                : SEALED + cipher().seal(value, context(name, path)));
        try {
            String text = JSON.writeValueAsString(sealed);
            if (text.length() > MAX_STORED) {
                throw ApiException.invalid("The declaration is too large (" + text.length()
                        + " characters stored, at most " + MAX_STORED + ")");
            }
            return text;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> opened(String name, Map<String, Object> stored) {
        SecretFields.each(stored, (path, value) -> {
            if (!value.startsWith(SEALED)) {
                return value;
            }
            try {
                return cipher().open(value.substring(SEALED.length()), context(name, path));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("its stored " + path + " cannot be decrypted (nodes sharing a "
                        + "database need the same CARAVAN_SECRET_KEY; was it or DATA_DIR/secret.key changed?)");
            }
        });
        return stored;
    }

    private static Map<String, Object> masked(Map<String, Object> plain) {
        Map<String, Object> out = copy(plain);
        SecretFields.each(out, (path, value) -> SecretFields.isReference(value) ? value : MASK);
        return out;
    }

    /** The row and field a sealed value belongs to, bound in as associated data: it cannot be moved elsewhere. */
    private static String context(String name, String path) {
        return "managed-upstream:" + name + ":" + path;
    }

    private TokenCipher cipher() {
        TokenCipher c = cipher;
        if (c == null) {
            c = key.get();
            cipher = c;
        }
        return c;
    }

    private static Map<String, Object> copy(Map<String, Object> map) {
        try {
            return JSON.readValue(JSON.writeValueAsString(map), MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("No upstream named '" + name + "'");
    }
}
