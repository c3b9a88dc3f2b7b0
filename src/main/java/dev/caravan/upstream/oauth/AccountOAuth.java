package dev.caravan.upstream.oauth;

import dev.caravan.core.CaravanSettings;
import dev.caravan.core.TokenCipher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OAuth grants a person holds to an outside service (a cloud drive), where {@link UpstreamOAuth} holds an upstream
 * MCP server's. The same pieces, not a second copy: the authorization request with Spring Security's PKCE
 * customizer, {@link PendingAuthorizations}' single-use state, {@link TokenClient}'s token calls and
 * {@link TokenStore}'s sealed rows (table upstream_token, keyed by the caller's account key). The client and its
 * endpoints come from the caller's configuration: no discovery, no registration.
 */
public final class AccountOAuth {
    private static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

    /** An OAuth app of the operator at one provider. {@code parameters} go into the authorization URL as well. */
    public record Client(String authorizationUri, String tokenUri, String clientId, String clientSecret, String scope,
                         Map<String, Object> parameters) {
    }

    /** A started flow: where the person goes, and until when the link works. */
    public record Started(String authorizationUrl, Instant expiresAt) {
    }

    /** No usable grant: never connected, disconnected, or the provider refused the refresh (revoked). */
    public static final class NotConnected extends OAuthException {
        private final boolean revoked;

        NotConnected(String message, boolean revoked) {
            super(message);
            this.revoked = revoked;
        }

        public boolean revoked() {
            return revoked;
        }
    }

    private final GrantStore store;
    private final TokenClient tokens;
    private final PendingAuthorizations pending;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public AccountOAuth(JdbcTemplate jdbc, CaravanSettings caravan) {
        this.store = new TokenStore(jdbc, () -> TokenCipher.from(caravan));
        this.pending = new PendingAuthorizations(UpstreamOAuth.FLOW_TTL, Clock.systemUTC(),
                new JdbcFlowRows(jdbc, "account", () -> TokenCipher.from(caravan)));
        this.tokens = new TokenClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build(), Duration.ofSeconds(15));
    }

    /** Starts a flow for {@code account} (at most 64 characters): the authorization URL with PKCE S256. */
    public Started start(String account, Client client, String redirectUri) {
        StoredGrant grant = grant(client, redirectUri);
        ClientRegistration registration = TokenClient.registration(account, grant,
                AuthorizationGrantType.AUTHORIZATION_CODE, null);
        String state = PendingAuthorizations.newState();
        OAuth2AuthorizationRequest.Builder b = OAuth2AuthorizationRequest.authorizationCode()
                .authorizationUri(client.authorizationUri()).clientId(client.clientId()).redirectUri(redirectUri)
                .scopes(registration.getScopes() == null || registration.getScopes().isEmpty() ? null
                        : registration.getScopes()).state(state)
                .additionalParameters(p -> p.putAll(client.parameters() == null ? Map.of() : client.parameters()));
        OAuth2AuthorizationRequestCustomizers.withPkce().accept(b);
        OAuth2AuthorizationRequest request = b.build();
        Instant expires = pending.expiry();
        pending.add(state, new PendingAuthorizations.Pending(account, registration, request, grant, expires));
        return new Started(request.getAuthorizationRequestUri(), expires);
    }

    /**
     * The callback: uses up the state, exchanges the code and seals the tokens. Returns the account key; throws
     * {@link OAuthException} with a message for the person's browser (never the code or a token).
     */
    public String complete(String state, String code, String error, String errorDescription) {
        PendingAuthorizations.Pending p = pending.take(state);
        if (error != null) {
            throw new OAuthException("The provider refused the connection: " + cut(error)
                    + (errorDescription == null ? "" : " (" + cut(errorDescription) + ")") + ".");
        }
        if (code == null || code.isBlank()) {
            throw new OAuthException("The callback has no authorization code.");
        }
        OAuth2AccessTokenResponse r = tokens.exchange(p.registration(), p.request(), code);
        StoredGrant granted = p.grant().withTokens(r.getAccessToken().getTokenValue(),
                r.getRefreshToken() == null ? null : r.getRefreshToken().getTokenValue(), TokenClient.expiresAt(r));
        store.save(p.upstream(), p.grant().tokenUri(), granted);
        return p.upstream();
    }

    /** The access token, refreshed first when it expires within a minute. */
    public String accessToken(String account, Client client) {
        synchronized (lock(account)) {
            StoredGrant g = load(account, client);
            if (g.expiresWithin(REFRESH_MARGIN) && g.refreshToken() != null) {
                g = refreshed(account, client, g);
            } else if (g.expiresWithin(Duration.ZERO)) {
                throw new NotConnected("The connection expired and cannot be renewed; connect again.", true);
            }
            return g.accessToken();
        }
    }

    /**
     * After the provider refused {@code rejected} (HTTP 401): a refreshed token, or the one another thread already
     * got meanwhile. A refused refresh (the grant was revoked) forgets the tokens and throws {@link NotConnected}.
     */
    public String refresh(String account, Client client, String rejected) {
        synchronized (lock(account)) {
            StoredGrant g = load(account, client);
            if (!g.accessToken().equals(rejected)) {
                return g.accessToken();
            }
            if (g.refreshToken() == null) {
                store.delete(account);
                throw new NotConnected("The provider no longer accepts the connection; connect again.", true);
            }
            return refreshed(account, client, g).accessToken();
        }
    }

    /** Whether a grant with tokens is kept for this account at this client's token endpoint. */
    public boolean connected(String account, Client client) {
        StoredGrant g = store.load(account, client.tokenUri());
        return g != null && g.hasAccessToken();
    }

    public void disconnect(String account) {
        store.delete(account);
    }

    /** Rotating refresh tokens (Box) are saved with the new access token in one row update. */
    private StoredGrant refreshed(String account, Client client, StoredGrant g) {
        OAuth2AccessTokenResponse r;
        try {
            r = tokens.refresh(TokenClient.registration(account, g, AuthorizationGrantType.REFRESH_TOKEN, null), g);
        } catch (OAuthException e) {
            if (e.getMessage().contains("invalid_grant") || e.getMessage().contains("unauthorized_client")) {
                store.delete(account);
                throw new NotConnected("The provider refused to renew the connection (it was revoked or expired); "
                        + "connect again.", true);
            }
            throw e;
        }
        String refresh = r.getRefreshToken() == null ? g.refreshToken() : r.getRefreshToken().getTokenValue();
        StoredGrant renewed = g.withTokens(r.getAccessToken().getTokenValue(), refresh, TokenClient.expiresAt(r));
        store.save(account, client.tokenUri(), renewed);
        return renewed;
    }

    private StoredGrant load(String account, Client client) {
        StoredGrant g = store.load(account, client.tokenUri());
        if (g == null || !g.hasAccessToken()) {
            throw new NotConnected("Not connected.", false);
        }
        return g;
    }

    private static StoredGrant grant(Client c, String redirectUri) {
        String method = c.clientSecret() == null || c.clientSecret().isBlank() ? "none" : "client_secret_post";
        return new StoredGrant(null, c.authorizationUri(), c.tokenUri(), null, c.scope(), c.clientId(),
                c.clientSecret() == null || c.clientSecret().isBlank() ? null : c.clientSecret(), method, redirectUri,
                false, null, null, null);
    }

    private Object lock(String account) {
        return locks.computeIfAbsent(account, k -> new Object());
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
