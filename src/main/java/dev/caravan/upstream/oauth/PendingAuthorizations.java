package dev.caravan.upstream.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

import dev.caravan.core.Sha256;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Authorization flows that were started and not finished, by {@code state}: each state is random (256 bits),
 * answered at most once, and only until it expires; only an owner's latest flow works. Used states are remembered
 * until their expiry so a replayed callback gets a precise refusal. The flows live in {@link FlowRows}: in the hub
 * the database, so the callback may reach any node.
 */
class PendingAuthorizations {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** {@code issRequired}: the authorization server said it sends {@code iss} in its responses (RFC 9207). */
    record Pending(String upstream, ClientRegistration registration, OAuth2AuthorizationRequest request,
                   StoredGrant grant, Instant expiresAt, boolean issRequired) {
        Pending(String upstream, ClientRegistration registration, OAuth2AuthorizationRequest request,
                StoredGrant grant, Instant expiresAt) {
            this(upstream, registration, request, grant, expiresAt, false);
        }
    }

    /**
     * What is kept of a {@link Pending}: the registration is made again from the grant and resource, the request
     * from its parts (its attributes hold the PKCE verifier).
     */
    record Flow(String owner, StoredGrant grant, String resource, String authorizationUri, String clientId,
                String redirectUri, Set<String> scopes, String state, Map<String, Object> additionalParameters,
                Map<String, Object> attributes, String authorizationRequestUri, Instant expiresAt,
                boolean issRequired) {
        static Flow of(Pending p) {
            OAuth2AuthorizationRequest r = p.request();
            Object resource = p.registration().getProviderDetails().getConfigurationMetadata().get("resource");
            return new Flow(p.upstream(), p.grant(), resource == null ? null : resource.toString(),
                    r.getAuthorizationUri(), r.getClientId(), r.getRedirectUri(), r.getScopes(), r.getState(),
                    r.getAdditionalParameters(), r.getAttributes(), r.getAuthorizationRequestUri(), p.expiresAt(),
                    p.issRequired());
        }

        Pending pending() {
            ClientRegistration registration = TokenClient.registration(owner, grant,
                    AuthorizationGrantType.AUTHORIZATION_CODE, resource);
            OAuth2AuthorizationRequest request = OAuth2AuthorizationRequest.authorizationCode()
                    .authorizationUri(authorizationUri).clientId(clientId).redirectUri(redirectUri)
                    .scopes(scopes == null || scopes.isEmpty() ? null : scopes).state(state)
                    .additionalParameters(additionalParameters).attributes(attributes)
                    .authorizationRequestUri(authorizationRequestUri).build();
            return new Pending(owner, registration, request, grant, expiresAt, issRequired);
        }
    }

    /** Why a callback's state was refused; the message is for the person who followed the link. */
    static final class Refused extends OAuthException {
        Refused(String message) {
            super(message);
        }
    }

    private final Duration ttl;
    private final Clock clock;
    private final FlowRows rows;

    PendingAuthorizations(Duration ttl, Clock clock, FlowRows rows) {
        this.ttl = ttl;
        this.clock = clock;
        this.rows = rows;
    }

    static String newState() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    Instant expiry() {
        return clock.instant().plus(ttl);
    }

    void add(String state, Pending p) {
        rows.put(hash(state), p.upstream(), write(Flow.of(p)), p.expiresAt(), clock.instant());
    }

    /** The pending flow of this state, used up so that it can never be used again, on any node. */
    Pending take(String state) {
        if (state == null || state.isBlank()) {
            throw new Refused("The callback has no state parameter; start the authorization again from Caravan.");
        }
        FlowRows.Taken taken = rows.take(hash(state), clock.instant());
        if (taken instanceof FlowRows.Taken.Flow f) {
            return read(f.payload()).pending();
        }
        if (taken instanceof FlowRows.Taken.Used) {
            throw new Refused("This authorization link was already used. Each link works once; start the "
                    + "authorization again from Caravan if the upstream still needs it.");
        }
        throw new Refused("Unknown or expired authorization request (state). Authorization links expire after "
                + ttl.toMinutes() + " minutes, and only the latest link of an upstream works; start again from "
                + "Caravan.");
    }

    /** The pending flow of an owner, if one is open (for its status). */
    Pending of(String owner) {
        String payload = rows.open(owner, clock.instant());
        return payload == null ? null : read(payload).pending();
    }

    void forget(String owner) {
        rows.forget(owner);
    }

    /** Only the hash is stored: a copy of the table gives no state that a callback would accept. */
    private static String hash(String state) {
        return Sha256.hex(state);
    }

    private static String write(Flow flow) {
        try {
            return JSON.writeValueAsString(flow);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an authorization flow", e);
        }
    }

    private static Flow read(String payload) {
        try {
            return JSON.readValue(payload, Flow.class);
        } catch (JsonProcessingException e) {
            throw new Refused("The authorization request can no longer be read; start again from Caravan.");
        }
    }
}
