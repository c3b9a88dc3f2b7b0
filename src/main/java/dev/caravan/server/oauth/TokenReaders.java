package dev.caravan.server.oauth;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.client.support.BasicAuthenticationInterceptor;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.SpringOpaqueTokenIntrospector;
import org.springframework.web.client.RestTemplate;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Turns an access token into its claims with Spring Security's resource-server parts: a {@link NimbusJwtDecoder}
 * per issuer (JWKS found by OpenID / RFC 8414 discovery, or given; cached, and rebuilt after the provider could not
 * be reached), or an RFC 7662 introspector. Only the signature (or the provider's "active") is judged here; the
 * claims are judged by {@link TokenRules}, so that each refusal can say exactly what was wrong.
 */
final class TokenReaders {
    /** The token is not genuine: bad signature, not a JWT, unknown key, inactive. */
    static final class Forged extends Exception {
        Forged() {
            super(null, null, false, false);
        }
    }

    /** The identity provider could not be asked (discovery, JWKS or introspection failed). */
    static final class Unreachable extends Exception {
        Unreachable(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private final Map<String, NimbusJwtDecoder> decoders = new ConcurrentHashMap<>();
    private final Map<String, SpringOpaqueTokenIntrospector> introspectors = new ConcurrentHashMap<>();
    private final UnaryOperator<String> environment;
    private final RestTemplate http;
    private final SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();

    TokenReaders(UnaryOperator<String> environment, Duration timeout) {
        this.environment = environment;
        factory.setConnectTimeout(timeout);
        factory.setReadTimeout(timeout);
        this.http = new RestTemplate(factory);
    }

    Map<String, Object> read(OAuthPolicy policy, String token) throws Forged, Unreachable {
        return policy.introspected() ? introspect(policy, token) : decode(policy, token);
    }

    private Map<String, Object> decode(OAuthPolicy policy, String token) throws Forged, Unreachable {
        String key = policy.issuer() + " " + policy.jwksUri();
        NimbusJwtDecoder decoder = decoders.computeIfAbsent(key, k -> decoder(policy));
        try {
            return decoder.decode(token).getClaims();
        } catch (BadJwtException e) {
            throw new Forged();
        } catch (RuntimeException e) {
            // JwtException (JWKS not fetched), IllegalArgumentException / IllegalStateException (discovery): try
            // afresh next time rather than keep a decoder that never found its keys.
            decoders.remove(key, decoder);
            throw new Unreachable(e);
        }
    }

    private NimbusJwtDecoder decoder(OAuthPolicy policy) {
        NimbusJwtDecoder.JwkSetUriJwtDecoderBuilder builder = policy.jwksUri() != null
                ? NimbusJwtDecoder.withJwkSetUri(policy.jwksUri()) : NimbusJwtDecoder.withIssuerLocation(policy.issuer());
        // Access tokens are typed at+jwt (RFC 9068) by many providers, plain JWT by others: TokenRules refuses the
        // types that are not access tokens instead of Nimbus's JWT-only default.
        NimbusJwtDecoder decoder = builder.restOperations(http).validateType(false)
                .jwsAlgorithms(algorithms -> algorithms.addAll(java.util.List.of(
                        org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.RS256,
                        org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.RS384,
                        org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.RS512,
                        org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.PS256,
                        org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.ES256,
                        org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.ES384)))
                .build();
        decoder.setJwtValidator(jwt -> OAuth2TokenValidatorResult.success());
        return decoder;
    }

    private Map<String, Object> introspect(OAuthPolicy policy, String token) throws Forged, Unreachable {
        String secret = environment.apply(policy.clientSecretEnv());
        if (secret == null || secret.isBlank()) {
            throw new Unreachable(new IllegalStateException("the environment variable " + policy.clientSecretEnv()
                    + " (introspection client secret) is unset"));
        }
        String key = policy.introspectionUri() + " " + policy.clientId() + " " + Integer.toHexString(secret.hashCode());
        SpringOpaqueTokenIntrospector introspector = introspectors.computeIfAbsent(key, k -> {
            RestTemplate rest = new RestTemplate(factory);
            rest.getInterceptors().add(new BasicAuthenticationInterceptor(policy.clientId(), secret));
            return new SpringOpaqueTokenIntrospector(policy.introspectionUri(), rest);
        });
        try {
            OAuth2AuthenticatedPrincipal principal = introspector.introspect(token);
            return principal.getAttributes();
        } catch (BadOpaqueTokenException e) {
            throw new Forged();
        } catch (RuntimeException e) {
            throw new Unreachable(e);
        }
    }
}
