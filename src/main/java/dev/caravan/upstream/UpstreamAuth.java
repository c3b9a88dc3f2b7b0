package dev.caravan.upstream;

import io.modelcontextprotocol.client.transport.customizer.McpAsyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.client.transport.customizer.McpHttpClientAuthorizationErrorHandler;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.Map;

/**
 * How the HTTP transports of one upstream authenticate. This is the seam for OAuth 2.1: an OAuth implementation
 * adds the current access token in {@link #customizer()} (asynchronously, so it may refresh first), refreshes
 * and asks for a retry in {@link #onAuthorizationError()}, and answers {@link #needsAuthorization()} while a
 * person still has to grant access (with the {@link #authorizationUrl()} to visit); the connection then waits in
 * {@code needs-authorization} instead of retrying, until {@code Upstreams.reconnect(name)} is called.
 */
public interface UpstreamAuth {

    McpAsyncHttpClientRequestCustomizer customizer();

    default McpHttpClientAuthorizationErrorHandler onAuthorizationError() {
        return McpHttpClientAuthorizationErrorHandler.NOOP;
    }

    /** True while the upstream cannot be used until someone authorises Caravan. */
    default boolean needsAuthorization() {
        return false;
    }

    /**
     * True while a person has granted access and Caravan is completing the flow (exchanging the code); the
     * status then reads {@code authorizing} instead of {@code needs-authorization}.
     */
    default boolean authorizing() {
        return false;
    }

    /** Where to authorise Caravan, when {@link #needsAuthorization()}; may be null. */
    default String authorizationUrl() {
        return null;
    }

    /** Why the upstream needs authorisation, shown as its status' lastError. */
    default String authorizationReason() {
        return null;
    }

    /**
     * The OAuth scope the upstream asked for beyond the grant (HTTP 403 {@code insufficient_scope}), until an
     * authorization grants it; null when there is none. Shown in the status: the upstream stays online for what the
     * grant covers.
     */
    default String stepUpScope() {
        return null;
    }

    /**
     * When the current OAuth access token expires, from the stored grant (never the token itself); null without a
     * token or when the authorization server gave no expiry.
     */
    default Instant tokenExpiresAt() {
        return null;
    }

    /** True when Caravan renews the token by itself before it expires (a refresh token, or client credentials). */
    default boolean tokenRenewable() {
        return false;
    }

    UpstreamAuth NONE = () -> McpAsyncHttpClientRequestCustomizer.NOOP;

    /** Fixed headers on every request (bearer is {@code Authorization: Bearer ...}), values already resolved. */
    static UpstreamAuth headers(Map<String, String> headers) {
        Map<String, String> copy = Map.copyOf(headers);
        return () -> (builder, method, uri, body, context) -> {
            copy.forEach(builder::setHeader);
            return Mono.just(builder);
        };
    }

    /**
     * For {@code auth: {type: oauth}} until the OAuth 2.1 authorization-code connector exists: the upstream stays
     * in needs-authorization with this explanation.
     */
    static UpstreamAuth oauthNotAvailable() {
        return new UpstreamAuth() {
            @Override
            public McpAsyncHttpClientRequestCustomizer customizer() {
                return McpAsyncHttpClientRequestCustomizer.NOOP;
            }

            @Override
            public boolean needsAuthorization() {
                return true;
            }

            @Override
            public String authorizationReason() {
                return "OAuth 2.1 authorization for upstreams is not available in this version; use auth type "
                        + "bearer or headers";
            }
        };
    }
}
