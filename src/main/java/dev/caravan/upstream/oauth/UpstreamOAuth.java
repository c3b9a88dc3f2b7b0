package dev.caravan.upstream.oauth;

import dev.caravan.core.CaravanSettings;
import dev.caravan.core.TokenCipher;
import dev.caravan.upstream.UpstreamAuth;
import dev.caravan.upstream.UpstreamConfig;
import dev.caravan.upstream.UpstreamStatus;
import dev.caravan.upstream.OAuthConnector;
import dev.caravan.upstream.Upstreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.stereotype.Component;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * OAuth 2.1 for upstream MCP servers. Plugged into {@code UpstreamClientFactory} as the function that gives an
 * {@code auth: oauth} (or {@code oauth-client-credentials}) upstream its {@link UpstreamAuth}; starts flows for the
 * admin API ({@link #start}) and finishes them at the callback ({@link #complete}), then reconnects the upstream.
 * <p>
 * Flow: discovery ({@link OAuthDiscovery}: RFC 9728, RFC 8414, OpenID) → the pre-registered client from
 * upstreams.yaml, or the one registered earlier, or RFC 7591 registration → an authorization request built with
 * Spring Security's {@link OAuth2AuthorizationRequest} and its PKCE customizer (S256), a single-use expiring
 * {@code state} and the RFC 8707 {@code resource} → the code exchanged with Spring Security's token response client
 * ({@link TokenClient}) → tokens sealed into the database ({@link TokenStore}).
 */
@Component
public class UpstreamOAuth implements OAuthConnector {
    private static final Logger log = LoggerFactory.getLogger(UpstreamOAuth.class);
    static final Duration FLOW_TTL = Duration.ofMinutes(10);
    public static final String CALLBACK_PATH = "/oauth/callback";

    private final Map<String, OAuthUpstreamAuth> auths = new ConcurrentHashMap<>();
    private final Function<String, String> variables;
    private final Supplier<String> publicBaseUrl;
    private final Connections connections;
    private final GrantStore store;
    private final OAuthDiscovery discovery;
    private final TokenClient tokens;
    private final PendingAuthorizations pending;

    /**
     * The connections whose OAuth flows this serves: {@code Upstreams} in the hub, the probe's one connection
     * outside it. {@link #state} is null for an unknown upstream.
     */
    public interface Connections {
        String state(String upstream);

        void reconnect(String upstream);
    }

    @Autowired
    public UpstreamOAuth(JdbcTemplate jdbc, CaravanSettings caravan, Environment environment,
                         ObjectProvider<Upstreams> upstreams) {
        this(new TokenStore(jdbc, () -> TokenCipher.from(caravan)),
                new JdbcFlowRows(jdbc, "upstream", () -> TokenCipher.from(caravan)), environment::getProperty,
                caravan::getPublicBaseUrl, new Connections() {
            @Override
            public String state(String upstream) {
                Upstreams u = upstreams.getIfAvailable();
                UpstreamStatus status = u == null ? null : u.status(upstream);
                return status == null ? null : status.state();
            }

            @Override
            public void reconnect(String upstream) {
                Upstreams u = upstreams.getIfAvailable();
                if (u != null) {
                    u.reconnect(upstream);
                }
            }
        });
    }

    UpstreamOAuth(GrantStore store, FlowRows flows, Function<String, String> variables,
                  Supplier<String> publicBaseUrl, Connections connections) {
        this.store = store;
        this.pending = new PendingAuthorizations(FLOW_TTL, Clock.systemUTC(), flows);
        this.variables = variables;
        this.publicBaseUrl = publicBaseUrl;
        this.connections = connections;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.discovery = new OAuthDiscovery(http, Duration.ofSeconds(15));
        this.tokens = new TokenClient(http, Duration.ofSeconds(15));
    }

    /**
     * OAuth for a process without the hub (the probe): the same discovery, registration, PKCE and token code, the
     * grants kept in memory only; the callback URL is the base passed to {@link #start} + {@code /oauth/callback}.
     */
    public static UpstreamOAuth inMemory(Function<String, String> variables, Connections connections) {
        return new UpstreamOAuth(new InMemoryGrantStore(), new MemoryFlowRows(), variables, () -> null, connections);
    }

    /**
     * Forgets what is held for an upstream deleted for good: its credentials in memory and its stored grant (client
     * registration and tokens), so a later upstream of the same name starts without them.
     */
    public void forget(String upstream) {
        auths.remove(upstream);
        store.delete(upstream);
    }

    /** The credentials of an OAuth upstream; the same object while its declaration does not change. */
    @Override
    public UpstreamAuth apply(UpstreamConfig config) {
        return auths.compute(config.name(), (name, old) -> {
            if (old != null && old.config().equals(config)) {
                return old;
            }
            pending.forget(name);
            return new OAuthUpstreamAuth(config, this, load(config));
        });
    }

    private StoredGrant load(UpstreamConfig config) {
        try {
            return store.load(config.name(), OAuthOptions.resolve(config.url(), variables));
        } catch (OAuthException e) {
            return null;
        }
    }

    /** A started flow: where the person goes, and until when the link works. */
    public record Started(String authorizationUrl, Instant expiresAt, String redirectUri) {
    }

    /** Thrown by {@link #start} for an upstream that is not an OAuth authorization-code upstream. */
    public static final class NotOAuth extends OAuthException {
        NotOAuth(String message) {
            super(message);
        }
    }

    /**
     * Starts an authorization flow for the upstream: discovery, registration when needed, then the authorization
     * URL (PKCE S256, single-use state). {@code requestBaseUrl} serves when {@code caravan.public-base-url} is unset.
     */
    public Started start(String name, String requestBaseUrl) {
        OAuthUpstreamAuth auth = auths.get(name);
        if (auth == null) {
            throw new NotOAuth("Upstream '" + name + "' does not use auth type oauth (or is disabled)");
        }
        if (auth.clientCredentials()) {
            throw new NotOAuth("Upstream '" + name + "' uses the client credentials grant: there is nothing for a "
                    + "person to authorize");
        }
        OAuthOptions options = OAuthOptions.of(auth.config(), variables);
        String redirectUri = callbackUrl(requestBaseUrl);
        OAuthDiscovery.Result found;
        try {
            found = discovery.discover(options);
        } catch (OAuthException e) {
            // Shown as the upstream's status too, not only to whoever started the flow.
            auth.reason("OAuth discovery failed: " + e.getMessage());
            throw e;
        }
        StoredGrant current = auth.grant();
        StoredGrant client;
        if (options.clientId() != null) {
            String method = options.clientSecret() == null ? "none"
                    : found.authMethods().contains("client_secret_post") && !found.authMethods()
                    .contains("client_secret_basic") ? "client_secret_post" : "client_secret_basic";
            client = new StoredGrant(found.issuer(), found.authorizationEndpoint(), found.tokenEndpoint(),
                    found.resource(), found.scope(), options.clientId(), options.clientSecret(), method, redirectUri,
                    false, null, null, null);
        } else if (options.clientMetadataUrl() != null && found.clientIdMetadataDocuments()) {
            // Client ID Metadata Document: the URL is the client_id, a public client (PKCE), nothing to register.
            client = new StoredGrant(found.issuer(), found.authorizationEndpoint(), found.tokenEndpoint(),
                    found.resource(), found.scope(), options.clientMetadataUrl(), null, "none", redirectUri, false,
                    null, null, null);
        } else if (current != null && current.registered() && current.clientId() != null
                && found.issuer().equals(current.issuer()) && redirectUri.equals(current.redirectUri())) {
            client = new StoredGrant(found.issuer(), found.authorizationEndpoint(), found.tokenEndpoint(),
                    found.resource(), found.scope(), current.clientId(), current.clientSecret(), current.authMethod(),
                    redirectUri, true, null, null, null);
        } else {
            client = discovery.register(found, redirectUri);
            log.info("Upstream {}: registered Caravan as an OAuth client at {}", name, found.issuer());
            if (current == null || !current.hasAccessToken()) {
                save(auth, client);
            }
        }
        if (found.authorizationEndpoint() == null) {
            throw new OAuthException("the authorization server " + found.issuer()
                    + " publishes no authorization_endpoint");
        }
        String resource = options.sendResource() ? found.resource() : null;
        client = new StoredGrant(client.issuer(), client.authorizationUri(), client.tokenUri(), resource,
                auth.scopeToRequest(client.scope()), client.clientId(), client.clientSecret(), client.authMethod(),
                redirectUri, client.registered(), null, null, null);
        ClientRegistration registration = TokenClient.registration(name, client,
                AuthorizationGrantType.AUTHORIZATION_CODE, resource);
        String state = PendingAuthorizations.newState();
        OAuth2AuthorizationRequest.Builder b = OAuth2AuthorizationRequest.authorizationCode()
                .authorizationUri(client.authorizationUri()).clientId(client.clientId()).redirectUri(redirectUri)
                .scopes(registration.getScopes() == null || registration.getScopes().isEmpty() ? null
                        : registration.getScopes()).state(state);
        if (resource != null) {
            b.additionalParameters(p -> p.put("resource", resource));
        }
        OAuth2AuthorizationRequestCustomizers.withPkce().accept(b);
        OAuth2AuthorizationRequest request = b.build();
        Instant expires = pending.expiry();
        pending.add(state, new PendingAuthorizations.Pending(name, registration, request, client, expires,
                found.issParameter()));
        auth.reason(null);
        reconnectUnlessOnline(name);
        return new Started(request.getAuthorizationRequestUri(), expires, redirectUri);
    }

    /**
     * The callback: the state must be a pending one (it is used up here), then the code is exchanged. Returns the
     * upstream's name; throws {@link OAuthException} with a message for the person's browser.
     */
    public String complete(String state, String code, String error, String errorDescription) {
        return complete(state, code, null, error, errorDescription);
    }

    /**
     * The callback with the authorization server's {@code iss} (RFC 9207, MCP SEP-2468): when present it must be the
     * issuer the flow was started with, exactly (no normalisation), and when the server advertised it it must be
     * present; otherwise the response may come from another server (a mix-up attack) and its code is not redeemed.
     */
    public String complete(String state, String code, String iss, String error, String errorDescription) {
        PendingAuthorizations.Pending p = pending.take(state);
        OAuthUpstreamAuth auth = auths.get(p.upstream());
        if (auth == null) {
            throw new OAuthException("Upstream '" + p.upstream() + "' was removed or reconfigured meanwhile.");
        }
        String expected = p.grant() == null ? null : p.grant().issuer();
        String mixUp = iss == null ? (p.issRequired() ? "the authorization server " + expected + " advertises the "
                + "iss parameter but its response has none" : null)
                : expected != null && !expected.equals(iss) ? "the response names the issuer '" + cut(iss)
                + "', not " + expected + " where the authorization started" : null;
        if (mixUp != null) {
            String why = mixUp + " (RFC 9207); the authorization code was not used";
            auth.reason("OAuth authorization failed: " + why);
            reconnectUnlessOnline(p.upstream());
            throw new OAuthException("Authorization of upstream '" + p.upstream() + "' failed: " + why + ".");
        }
        if (error != null) {
            String why = "the authorization server answered " + cut(error)
                    + (errorDescription == null ? "" : " (" + cut(errorDescription) + ")");
            auth.reason("OAuth authorization failed: " + why);
            reconnectUnlessOnline(p.upstream());
            throw new OAuthException("Authorization of upstream '" + p.upstream() + "' failed: " + why + ".");
        }
        if (code == null || code.isBlank()) {
            throw new OAuthException("The callback has no authorization code.");
        }
        auth.authorizing(true);
        reconnect(p.upstream());
        try {
            OAuth2AccessTokenResponse r = tokens.exchange(p.registration(), p.request(), code);
            StoredGrant granted = p.grant().withTokens(r.getAccessToken().getTokenValue(),
                    r.getRefreshToken() == null ? null : r.getRefreshToken().getTokenValue(), TokenClient.expiresAt(r));
            save(auth, granted);
            auth.granted(granted);
            log.info("Upstream {}: OAuth authorization completed", p.upstream());
        } catch (OAuthException e) {
            auth.authorizing(false);
            auth.reason("OAuth authorization failed: " + e.getMessage());
            throw new OAuthException("Authorization of upstream '" + p.upstream() + "' failed: " + e.getMessage());
        } finally {
            reconnect(p.upstream());
        }
        return p.upstream();
    }

    /**
     * The scope an upstream asked for beyond the granted one (HTTP 403 insufficient_scope), until an authorization
     * grants it; null when there is none. The next {@link #start} requests it.
     */
    public String stepUpScope(String upstream) {
        OAuthUpstreamAuth auth = auths.get(upstream);
        return auth == null ? null : auth.stepUpScope();
    }

    /** Whether the upstream waits for a person's authorization (none yet, or its token was refused). */
    public boolean needsAuthorization(String upstream) {
        OAuthUpstreamAuth auth = auths.get(upstream);
        return auth != null && !auth.clientCredentials() && auth.needsAuthorization();
    }

    /** The authorization URL of the upstream's open flow, or null. */
    String pendingUrl(String upstream) {
        PendingAuthorizations.Pending p = pending.of(upstream);
        return p == null ? null : p.request().getAuthorizationRequestUri();
    }

    /** A token from the client credentials grant (the token endpoint configured, or discovered once). */
    StoredGrant clientCredentials(OAuthUpstreamAuth auth, StoredGrant known) {
        OAuthOptions options = OAuthOptions.of(auth.config(), variables);
        StoredGrant base = known;
        if (base == null) {
            String tokenUri = options.tokenUrl();
            String issuer = null;
            String resource = OAuthDiscovery.canonical(URI.create(options.serverUrl()));
            String scope = options.scope();
            String method = "client_secret_basic";
            if (tokenUri == null) {
                OAuthDiscovery.Result found = discovery.discover(options);
                tokenUri = found.tokenEndpoint();
                issuer = found.issuer();
                resource = found.resource();
                scope = found.scope();
                if (found.authMethods().contains("client_secret_post")
                        && !found.authMethods().contains("client_secret_basic")) {
                    method = "client_secret_post";
                }
            }
            base = new StoredGrant(issuer, null, tokenUri, options.sendResource() ? resource : null, scope,
                    options.clientId(), options.clientSecret(), method, null, false, null, null, null);
        }
        OAuth2AccessTokenResponse r = tokens.clientCredentials(TokenClient.registration(auth.name(), base,
                AuthorizationGrantType.CLIENT_CREDENTIALS, base.resource()));
        StoredGrant g = base.withTokens(r.getAccessToken().getTokenValue(), null, TokenClient.expiresAt(r));
        save(auth, g);
        return g;
    }

    TokenClient tokens() {
        return tokens;
    }

    /** The grant as stored now (another node may have changed it), or null when it cannot be read. */
    StoredGrant stored(OAuthUpstreamAuth auth) {
        try {
            return store.load(auth.name(), OAuthOptions.resolve(auth.config().url(), variables));
        } catch (RuntimeException e) {
            log.debug("Upstream {}: could not read the stored grant: {}", auth.name(), e.getMessage());
            return null;
        }
    }

    void save(OAuthUpstreamAuth auth, StoredGrant grant) {
        try {
            store.save(auth.name(), OAuthOptions.resolve(auth.config().url(), variables), grant);
        } catch (RuntimeException e) {
            log.warn("Upstream {}: the OAuth tokens could not be stored: {}", auth.name(), e.toString());
        }
    }

    /** {@code caravan.public-base-url} (or the admin request's base URL) + {@code /oauth/callback}. */
    String callbackUrl(String requestBaseUrl) {
        String configured = publicBaseUrl.get();
        String base = configured != null && !configured.isBlank() ? configured : requestBaseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + CALLBACK_PATH;
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** The database store (for its tests). */
    TokenStore store() {
        return (TokenStore) store;
    }

    private void reconnectUnlessOnline(String name) {
        String state = connections.state(name);
        if (state != null && !Set.of("online", "connecting").contains(state)) {
            connections.reconnect(name);
        }
    }

    private void reconnect(String name) {
        connections.reconnect(name);
    }
}
