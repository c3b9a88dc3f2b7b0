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
        return (response, context) -> Mono.fromCallable(() -> recover(response.statusCode()))
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

    /** After a 401 (or 403) from the upstream: true when a fresh token was obtained and the request may be retried. */
    synchronized boolean recover(int status) {
        if (status != 401) {
            return false; // 403 insufficient_scope: a new token for the same scope would not help
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
        log.info("Upstream {}: refreshing the OAuth access token ({})", name(), why);
        try {
            OAuth2AccessTokenResponse r = owner.tokens().refresh(TokenClient.registration(name(), grant,
                    AuthorizationGrantType.AUTHORIZATION_CODE, grant.resource()), grant);
            String refreshToken = r.getRefreshToken() == null ? grant.refreshToken()
                    : r.getRefreshToken().getTokenValue();
            grant = grant.withTokens(r.getAccessToken().getTokenValue(), refreshToken, TokenClient.expiresAt(r));
            owner.save(this, grant);
        } catch (OAuthException e) {
            lose("refreshing the OAuth access token failed: " + e.getMessage());
            throw new OAuthException(reason);
        }
    }

    /** The tokens are no good: forget them (keeping the client registration) and wait for a person. */
    private void lose(String why) {
        reason = "OAuth authorization expired (" + why + ")";
        log.warn("Upstream {} needs authorization again: {}", name(), why);
        grant = grant.withoutTokens();
        owner.save(this, grant);
    }
}
