package dev.caravan.upstream.oauth;

import dev.caravan.upstream.UpstreamAuth;
import dev.caravan.upstream.UpstreamConfig;
import io.modelcontextprotocol.client.transport.customizer.McpAsyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.client.transport.customizer.McpHttpClientAuthorizationErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The OAuth credentials of one upstream, as the connection sees them (see {@link UpstreamAuth}): the current
 * access token on every request, refreshed first when it expires within a minute (the health ping makes that a
 * refresh ahead of expiry); on a 401 one refresh and one retry of the request; when there is no token, or the
 * refresh fails, the upstream needs authorization again, with the reason.
 */
final class OAuthUpstreamAuth implements UpstreamAuth {
    private static final Logger log = LoggerFactory.getLogger(OAuthUpstreamAuth.class);
    static final Duration EARLY = Duration.ofSeconds(60);

    private final UpstreamConfig config;
    private final UpstreamOAuth owner;
    private StoredGrant grant; // guarded by this
    private volatile String reason;
    private volatile boolean authorizing;
    private String stepUpScope; // guarded by this

    OAuthUpstreamAuth(UpstreamConfig config, UpstreamOAuth owner, StoredGrant grant) {
        this.config = config;
        this.owner = owner;
        this.grant = grant;
    }

    UpstreamConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    boolean clientCredentials() {
        return config.auth().type() == UpstreamConfig.Auth.Type.OAUTH_CLIENT_CREDENTIALS;
    }

    synchronized StoredGrant grant() {
        return grant;
    }

    @Override
    public McpAsyncHttpClientRequestCustomizer customizer() {
        return (builder, method, uri, body, context) -> Mono.fromCallable(() -> {
            builder.setHeader("Authorization", "Bearer " + accessToken());
            return builder;
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public McpHttpClientAuthorizationErrorHandler onAuthorizationError() {
        return (response, context) -> Mono.fromCallable(() -> recover(response.statusCode(),
                        response.headers().allValues("WWW-Authenticate").stream()
                                .filter(h -> h.regionMatches(true, 0, "Bearer", 0, 6)).findFirst().orElse(null)))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public synchronized boolean needsAuthorization() {
        return !clientCredentials() && (grant == null || !grant.hasAccessToken());
    }

    @Override
    public boolean authorizing() {
        return authorizing;
    }

    @Override
    public String authorizationUrl() {
        return owner.pendingUrl(name());
    }

    @Override
    public String authorizationReason() {
        String why = reason == null ? "OAuth authorization is required" : reason;
        if (authorizing) {
            return "OAuth: access was granted; Caravan is exchanging the authorization code";
        }
        return authorizationUrl() != null
                ? why + ": open the authorizationUrl and grant access"
                : why + ": POST /admin/api/upstreams/" + name() + "/authorize for the URL to visit";
    }

    void authorizing(boolean on) {
        authorizing = on;
    }

    void reason(String why) {
        reason = why;
    }

    synchronized void granted(StoredGrant g) {
        grant = g;
        reason = null;
        authorizing = false;
        stepUpScope = null;
    }

    @Override
    public synchronized Instant tokenExpiresAt() {
        return grant == null || !grant.hasAccessToken() ? null : grant.expiresAt();
    }

    @Override
    public synchronized boolean tokenRenewable() {
        return clientCredentials() || (grant != null && grant.refreshToken() != null);
    }

    @Override
    public synchronized String stepUpScope() {
        return stepUpScope;
    }

    /** The scope to request in the next authorization: the discovered one, plus a pending step-up's. */
    synchronized String scopeToRequest(String discovered) {
        return stepUpScope == null ? discovered : union(discovered, stepUpScope);
    }

    private void stepUp(Map<String, String> challenge) {
        String wanted = challenge.get("scope");
        if (!"insufficient_scope".equals(challenge.get("error")) || wanted == null || wanted.isBlank()) {
            return;
        }
        stepUpScope = union(grant == null ? null : grant.scope(), wanted);
        reason = "the upstream requires the OAuth scope '" + stepUpScope + "' (HTTP 403 insufficient_scope)";
        log.warn("Upstream {}: {}; authorize Caravan again to grant it", name(), reason);
    }

    /** The scopes of both, each once, in order of first appearance. */
    static String union(String a, String b) {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        for (String s : new String[] {a, b}) {
            if (s != null) {
                for (String scope : s.trim().split("\\s+")) {
                    if (!scope.isEmpty()) {
                        all.add(scope);
                    }
                }
            }
        }
        return String.join(" ", all);
    }

    /** The token for the next request, refreshed or fetched first when needed; throws when there is none. */
    synchronized String accessToken() {
        if (clientCredentials()) {
            if (grant == null || !grant.hasAccessToken() || grant.expiresWithin(EARLY)) {
                grant = owner.clientCredentials(this, grant);
            }
            return grant.accessToken();
        }
        if (grant == null || !grant.hasAccessToken()) {
            throw new OAuthException(reason == null ? "OAuth: not authorized yet" : reason);
        }
        if (grant.expiresWithin(EARLY) && grant.refreshToken() != null) {
            refresh("the access token expires at " + grant.expiresAt());
        }
        return grant.accessToken();
    }

    /**
     * After a 401 (or 403) from the upstream: true when a fresh token was obtained and the request may be retried.
     * A 403 {@code insufficient_scope} challenge with a {@code scope} is remembered as a step-up: the next
     * authorization asks for the scopes granted so far plus the ones the upstream named (a new token for the same
     * scope would not help, and more scope needs a person, so no retry here).
     *
     * @param challenge the response's {@code WWW-Authenticate: Bearer ...} header, or null
     */
    synchronized boolean recover(int status, String challenge) {
        if (status != 401) {
            if (status == 403 && challenge != null) {
                stepUp(OAuthDiscovery.bearerParams(challenge));
            }
            return false;
        }
        if (clientCredentials()) {
            try {
                grant = owner.clientCredentials(this, grant);
                return true;
            } catch (OAuthException e) {
                log.warn("Upstream {}: {}", name(), e.getMessage());
                return false;
            }
        }
        if (grant == null || !grant.hasAccessToken()) {
            return false;
        }
        if (grant.refreshToken() == null) {
            lose("the upstream refused the access token (HTTP 401: revoked or expired) and gave no refresh token");
            return false;
        }
        try {
            refresh("the upstream refused the access token (HTTP 401)");
            return true;
        } catch (OAuthException e) {
            return false;
        }
    }

    private void refresh(String why) {
        if (adoptStored()) {
            return;
        }
        log.info("Upstream {}: refreshing the OAuth access token ({})", name(), why);
        try {
            OAuth2AccessTokenResponse r = owner.tokens().refresh(TokenClient.registration(name(), grant,
                    AuthorizationGrantType.AUTHORIZATION_CODE, grant.resource()), grant);
            String refreshToken = r.getRefreshToken() == null ? grant.refreshToken()
                    : r.getRefreshToken().getTokenValue();
            grant = grant.withTokens(r.getAccessToken().getTokenValue(), refreshToken, TokenClient.expiresAt(r));
            owner.save(this, grant);
        } catch (OAuthException e) {
            if (adoptStored()) {
                return; // another node refreshed first and the server rotated the refresh token we sent
            }
            lose("refreshing the OAuth access token failed: " + e.getMessage());
            throw new OAuthException(reason);
        }
    }

    /**
     * Several nodes share the grant (in the database): another node may have refreshed it already, and with a
     * rotating refresh token ours is then spent. Takes the stored tokens when they are other and still fresh.
     */
    private boolean adoptStored() {
        StoredGrant stored = owner.stored(this);
        if (stored == null || !stored.hasAccessToken() || stored.accessToken().equals(grant.accessToken())
                || stored.expiresWithin(EARLY)) {
            return false;
        }
        log.info("Upstream {}: using the OAuth tokens another node refreshed", name());
        grant = stored;
        return true;
    }

    /** The tokens are no good: forget them (keeping the client registration) and wait for a person. */
    private void lose(String why) {
        reason = "OAuth authorization expired (" + why + ")";
        log.warn("Upstream {} needs authorization again: {}", name(), why);
        grant = grant.withoutTokens();
        owner.save(this, grant);
    }
}
