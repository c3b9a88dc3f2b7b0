package dev.caravan.upstream.oauth;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.RestClientRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationExchange;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationResponse;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StringUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The token endpoint, through Spring Security's OAuth2 client: its {@link ClientRegistration}, its RestClient
 * token response clients (authorization code with the PKCE {@code code_verifier}, refresh, client credentials)
 * and its token response parsing and error handling. Caravan only adds the RFC 8707 {@code resource} parameter
 * (when the upstream's switch allows it) and a timeout.
 */
class TokenClient {
    private final RestClientAuthorizationCodeTokenResponseClient code = new RestClientAuthorizationCodeTokenResponseClient();
    private final RestClientRefreshTokenTokenResponseClient refresh = new RestClientRefreshTokenTokenResponseClient();
    private final RestClientClientCredentialsTokenResponseClient credentials =
            new RestClientClientCredentialsTokenResponseClient();

    TokenClient(HttpClient http, Duration timeout) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(timeout);
        RestClient rest = RestClient.builder().requestFactory(factory)
                .messageConverters(c -> {
                    c.clear();
                    c.add(new FormHttpMessageConverter());
                    c.add(new OAuth2AccessTokenResponseHttpMessageConverter());
                })
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler()).build();
        code.setRestClient(rest);
        refresh.setRestClient(rest);
        credentials.setRestClient(rest);
        code.addParametersConverter(TokenClient::resource);
        refresh.addParametersConverter(TokenClient::resource);
        credentials.addParametersConverter(TokenClient::resource);
    }

    /** The resource indicator travels in the registration's metadata (absent when switched off). */
    private static MultiValueMap<String, String> resource(AbstractOAuth2AuthorizationGrantRequest request) {
        MultiValueMap<String, String> out = new LinkedMultiValueMap<>();
        Object resource = request.getClientRegistration().getProviderDetails().getConfigurationMetadata()
                .get("resource");
        if (resource != null) {
            out.add("resource", resource.toString());
        }
        return out;
    }

    static ClientRegistration registration(String name, StoredGrant g, AuthorizationGrantType grant,
                                           String resource) {
        ClientRegistration.Builder b = ClientRegistration.withRegistrationId(name).clientId(g.clientId())
                .clientSecret(g.clientSecret() == null ? "" : g.clientSecret()).authorizationGrantType(grant)
                .clientAuthenticationMethod(method(g)).tokenUri(g.tokenUri())
                .providerConfigurationMetadata(resource == null ? Map.of()
                        : Map.of("resource", resource));
        if (grant.equals(AuthorizationGrantType.AUTHORIZATION_CODE)) {
            b.authorizationUri(g.authorizationUri()).redirectUri(g.redirectUri());
        }
        if (g.scope() != null && !g.scope().isBlank()) {
            b.scope(StringUtils.delimitedListToStringArray(g.scope().trim(), " "));
        }
        return b.build();
    }

    private static ClientAuthenticationMethod method(StoredGrant g) {
        if (g.clientSecret() == null || "none".equals(g.authMethod())) {
            return ClientAuthenticationMethod.NONE;
        }
        return "client_secret_post".equals(g.authMethod()) ? ClientAuthenticationMethod.CLIENT_SECRET_POST
                : ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
    }

    OAuth2AccessTokenResponse exchange(ClientRegistration registration, OAuth2AuthorizationRequest request,
                                       String authorizationCode) {
        OAuth2AuthorizationResponse response = OAuth2AuthorizationResponse.success(authorizationCode)
                .redirectUri(request.getRedirectUri()).state(request.getState()).build();
        return call(() -> code.getTokenResponse(new OAuth2AuthorizationCodeGrantRequest(registration,
                new OAuth2AuthorizationExchange(request, response))), "exchanging the authorization code");
    }

    OAuth2AccessTokenResponse refresh(ClientRegistration registration, StoredGrant g) {
        OAuth2AccessToken access = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER,
                g.accessToken() == null ? "expired" : g.accessToken(), null, null, Set.of());
        return call(() -> refresh.getTokenResponse(new OAuth2RefreshTokenGrantRequest(registration, access,
                new OAuth2RefreshToken(g.refreshToken(), null))), "refreshing the access token");
    }

    OAuth2AccessTokenResponse clientCredentials(ClientRegistration registration) {
        return call(() -> credentials.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration)),
                "requesting a token with the client credentials grant");
    }

    /** The expiry of the response's access token (null when the server gave none). */
    static Instant expiresAt(OAuth2AccessTokenResponse r) {
        return r.getAccessToken().getExpiresAt();
    }

    private static OAuth2AccessTokenResponse call(Supplier<OAuth2AccessTokenResponse> send,
                                                  String what) {
        try {
            return send.get();
        } catch (OAuth2AuthorizationException e) {
            String description = e.getError().getDescription();
            throw new OAuthException(what + " failed: the authorization server answered "
                    + e.getError().getErrorCode() + (description == null ? "" : " (" + cut(description) + ")"));
        } catch (RestClientException e) {
            throw new OAuthException(what + " failed: " + cut(String.valueOf(e.getMostSpecificCause().getMessage())));
        }
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
