package dev.caravan.upstream.oauth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Duration;
import java.time.Instant;

/**
 * Everything Caravan keeps for one OAuth upstream, sealed as one value: where the authorization server is, the
 * client (pre-registered or registered dynamically) and the current tokens (null until authorised).
 *
 * @param authMethod how the client authenticates at the token endpoint: none, client_secret_post or
 *                   client_secret_basic
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record StoredGrant(String issuer, String authorizationUri, String tokenUri, String resource, String scope,
                   String clientId, String clientSecret, String authMethod, String redirectUri, boolean registered,
                   String accessToken, String refreshToken, Instant expiresAt) {

    StoredGrant withTokens(String access, String refresh, Instant expires) {
        return new StoredGrant(issuer, authorizationUri, tokenUri, resource, scope, clientId, clientSecret, authMethod,
                redirectUri, registered, access, refresh, expires);
    }

    StoredGrant withoutTokens() {
        return withTokens(null, null, null);
    }

    boolean hasAccessToken() {
        return accessToken != null;
    }

    /** Expired or expiring within the margin (no expiry known: never). */
    boolean expiresWithin(Duration margin) {
        return expiresAt != null && Instant.now().plus(margin).isAfter(expiresAt);
    }
}
