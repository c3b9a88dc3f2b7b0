package dev.caravan.server.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.store.EndpointOAuthRepository;
import dev.caravan.store.EndpointRepository;
import dev.caravan.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Endpoints as OAuth 2.1 protected resources: each endpoint may name an identity provider whose access tokens open
 * it beside its keys. This class holds the policies (declared in configuration, or stored through the admin API),
 * checks tokens against them, answers RFC 9728 protected resource metadata, and remembers the tokens that opened
 * legacy SSE sessions and held-open streams so those end when the token does.
 */
public final class EndpointTokens {
    private static final Logger log = LoggerFactory.getLogger(EndpointTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a policy read from the database is trusted (other nodes' changes show within this). */
    private static final long RECHECK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int REMEMBERED = 10_000;
    public static final String METADATA_PATH = "/.well-known/oauth-protected-resource";

    private final EndpointOAuthRepository repository;
    private final EndpointRepository endpoints;
    private final Map<String, OAuthPolicy> declared;
    private final TokenReaders readers;
    private final Duration skew;
    private final String publicBaseUrl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    private record Cached(Optional<OAuthPolicy> policy, long readAt) {
    }

    /** A token that opened a session or stream: valid for that endpoint, under that policy, until it expires. */
    private record Remembered(String endpoint, OAuthPolicy policy, Caller caller, Instant expiresAt) {
    }

    public EndpointTokens(EndpointOAuthRepository repository, EndpointRepository endpoints,
                          Map<String, OAuthPolicy> declared, UnaryOperator<String> environment, Duration clockSkew,
                          Duration providerTimeout, String publicBaseUrl, Clock clock) {
        this.repository = repository;
        this.endpoints = endpoints;
        this.declared = Map.copyOf(declared);
        this.declared.forEach((name, p) -> {
            try {
                p.checked();
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("caravan.endpoints." + name + ".oauth: " + e.getMessage());
            }
        });
        this.readers = new TokenReaders(environment, providerTimeout);
        this.skew = clockSkew;
        this.publicBaseUrl = publicBaseUrl == null ? null : publicBaseUrl.replaceAll("/+$", "");
        this.clock = clock;
    }

    /** The endpoint's policy now, if it takes tokens. */
    public Optional<OAuthPolicy> policy(String endpoint) {
        OAuthPolicy d = declared.get(endpoint);
        if (d != null) {
            return Optional.of(d);
        }
        long now = System.nanoTime();
        Cached c = cache.get(endpoint);
        if (c != null && now - c.readAt() < RECHECK_AFTER_NANOS) {
            return c.policy();
        }
        Optional<OAuthPolicy> read = repository.find(endpoint).map(EndpointTokens::parse);
        // Only endpoints that exist are cached (the caller found the endpoint first), so the map stays small.
        cache.put(endpoint, new Cached(read, now));
        return read;
    }

    /**
     * Checks a presented access token on a request to the endpoint (every request: a stateless request carries its
     * token each time). {@code tokenHash} is remembered for the session or stream the request may open.
     */
    public Verdict check(String endpoint, HttpServletRequest request, String token, String tokenHash, boolean inQuery) {
        OAuthPolicy policy = policy(endpoint).orElse(null);
        if (policy == null) {
            throw new IllegalStateException("endpoint " + endpoint + " takes no access tokens");
        }
        if (token == null || token.isEmpty()) {
            return Verdict.missing("This endpoint needs an access token from " + policy.issuer()
                    + " (or a Caravan key): send 'Authorization: Bearer <token>'");
        }
        if (inQuery) {
            // OAuth 2.1 and the MCP authorization spec: access tokens never travel in a URL (logs, Referer).
            return Verdict.badRequest("Access tokens are not accepted in the query string; send "
                    + "'Authorization: Bearer <token>'");
        }
        if (token.length() > 16_384) {
            return Verdict.invalid("The access token is too long");
        }
        Map<String, Object> claims;
        try {
            claims = readers.read(policy, token);
        } catch (TokenReaders.Forged e) {
            return Verdict.invalid("The access token is not valid: its signature, format or key is not one of "
                    + policy.issuer() + "'s, or the provider says it is no longer active");
        } catch (TokenReaders.Unreachable e) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            log.warn("Endpoint '{}': the identity provider {} could not be asked about a token [ref {}]: {}", endpoint,
                    policy.issuer(), ref, e.getMessage());
            return Verdict.unavailable("The identity provider could not be reached to check the token; retry shortly "
                    + "[ref " + ref + "]");
        }
        Verdict verdict = TokenRules.judge(endpoint, policy, claims, audiences(endpoint, policy, request),
                clock.instant(), skew);
        if (verdict.accepted() && tokenHash != null) {
            remember(tokenHash, new Remembered(endpoint, policy, verdict.caller(), verdict.expiresAt()));
        }
        return verdict;
    }

    /**
     * The caller a remembered token (by hash) still stands for on this endpoint, or null once it has expired or the
     * endpoint's policy changed: legacy SSE messages and held-open streams are re-checked with this.
     */
    public Caller session(String endpoint, String tokenHash) {
        Remembered r = tokenHash == null ? null : remembered.get(tokenHash);
        if (r == null || !r.endpoint().equals(endpoint) || clock.instant().isAfter(r.expiresAt())
                || !policy(endpoint).map(r.policy()::equals).orElse(false)) {
            return null;
        }
        return r.caller();
    }

    /** The operation sets of the endpoint's unexpired token holders (their tool views must stay open). */
    public Set<Set<WorkspaceScopes.Operation>> liveOperations(String endpoint) {
        Instant now = clock.instant();
        Set<Set<WorkspaceScopes.Operation>> out = new HashSet<>();
        remembered.values().stream().filter(r -> r.endpoint().equals(endpoint) && !now.isAfter(r.expiresAt()))
                .forEach(r -> out.add(r.caller().scopes().operations()));
        return out;
    }

    private void remember(String hash, Remembered r) {
        if (remembered.size() >= REMEMBERED) {
            Instant now = clock.instant();
            remembered.values().removeIf(x -> now.isAfter(x.expiresAt()));
            if (remembered.size() >= REMEMBERED) {
                // Still full of live tokens: forget the oldest entries' sessions rather than grow without bound
                // (their SSE streams then end and the clients reconnect).
                remembered.keySet().stream().limit(REMEMBERED / 10).toList().forEach(remembered::remove);
            }
        }
        remembered.put(hash, r);
    }

    /** The tokens' expected audiences: the configured one, or the endpoint's canonical URLs (RFC 8707). */
    private List<String> audiences(String endpoint, OAuthPolicy policy, HttpServletRequest request) {
        if (policy.audience() != null) {
            return List.of(policy.audience().strip());
        }
        String base = base(request);
        return List.of(base + "/mcp/" + endpoint, base + "/sse/" + endpoint);
    }

    /** Where the endpoint's metadata is, for the {@code resource_metadata} of a challenge. */
    public String metadataUrl(HttpServletRequest request, String resourcePath) {
        return base(request) + METADATA_PATH + resourcePath;
    }

    /** The scopes a challenge asks for (space-separated), or null. */
    public String challengeScopes(String endpoint) {
        return policy(endpoint).map(p -> String.join(" ", p.requiredScopes())).filter(s -> !s.isEmpty()).orElse(null);
    }

    /**
     * RFC 9728 protected resource metadata for {@code /mcp/NAME} or {@code /sse/NAME}; empty when the endpoint
     * takes no tokens.
     */
    public Optional<Map<String, Object>> metadata(String endpoint, String transport, HttpServletRequest request) {
        // Anyone may ask for any name here: only existing endpoints reach the policy cache, which stays small.
        if (!declared.containsKey(endpoint) && !cache.containsKey(endpoint) && endpoints.find(endpoint).isEmpty()) {
            return Optional.empty();
        }
        return policy(endpoint).map(p -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("resource", p.audience() != null ? p.audience().strip()
                    : base(request) + "/" + transport + "/" + endpoint);
            out.put("authorization_servers", List.of(p.issuer()));
            out.put("scopes_supported", p.advertisedScopes());
            out.put("bearer_methods_supported", List.of("header"));
            out.put("resource_name", "Caravan MCP endpoint " + endpoint);
            if (p.introspected()) {
                out.put("introspection_endpoint_used", true);
            }
            return out;
        });
    }

    /** The endpoints that take tokens (for clients that probe only the root metadata). */
    public List<String> protectedEndpoints() {
        List<String> names = new java.util.ArrayList<>(declared.keySet());
        endpoints.findAll().forEach(e -> {
            if (!names.contains(e.name()) && policy(e.name()).isPresent()) {
                names.add(e.name());
            }
        });
        return names;
    }

    private String base(HttpServletRequest request) {
        if (publicBaseUrl != null) {
            return publicBaseUrl;
        }
        String scheme = request.getScheme();
        int port = request.getServerPort();
        boolean defaultPort = port == 80 && "http".equals(scheme) || port == 443 && "https".equals(scheme);
        String host = request.getServerName();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + request.getContextPath();
    }

    // --- the admin API's side ---

    public Optional<OAuthPolicy> stored(String endpoint) {
        requireStored(endpoint);
        return repository.find(endpoint).map(EndpointTokens::parse);
    }

    public OAuthPolicy put(String endpoint, OAuthPolicy policy) {
        requireStored(endpoint);
        try {
            policy.checked();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        try {
            repository.put(endpoint, JSON.writeValueAsString(policy), Instant.now());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        cache.remove(endpoint);
        return policy;
    }

    public void delete(String endpoint) {
        requireStored(endpoint);
        if (!repository.delete(endpoint)) {
            throw ApiException.notFound("Endpoint '" + endpoint + "' takes no access tokens");
        }
        cache.remove(endpoint);
    }

    private void requireStored(String endpoint) {
        if (declared.containsKey(endpoint)) {
            throw ApiException.conflict("Endpoint '" + endpoint + "' is declared in configuration; change "
                    + "caravan.endpoints." + endpoint + ".oauth instead");
        }
        if (endpoints.find(endpoint).isEmpty()) {
            throw ApiException.notFound("No endpoint named '" + endpoint + "'");
        }
    }

    private static OAuthPolicy parse(String json) {
        try {
            return JSON.readValue(json, OAuthPolicy.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored OAuth policy is not readable: " + e.getOriginalMessage());
        }
    }
}
