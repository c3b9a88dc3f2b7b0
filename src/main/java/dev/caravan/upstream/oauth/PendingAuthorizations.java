package dev.caravan.upstream.oauth;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Authorization flows that were started and not finished, by {@code state}: each state is random (256 bits),
 * answered at most once, and only until it expires. Used states are remembered until their expiry so a replayed
 * callback gets a precise refusal. In memory: a flow must finish on the node that started it (sticky routing).
 */
class PendingAuthorizations {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX = 1000;

    /** {@code issRequired}: the authorization server said it sends {@code iss} in its responses (RFC 9207). */
    record Pending(String upstream, ClientRegistration registration, OAuth2AuthorizationRequest request,
                   StoredGrant grant, Instant expiresAt, boolean issRequired) {
        Pending(String upstream, ClientRegistration registration, OAuth2AuthorizationRequest request,
                StoredGrant grant, Instant expiresAt) {
            this(upstream, registration, request, grant, expiresAt, false);
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
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Map<String, Instant> used = new LinkedHashMap<>();

    PendingAuthorizations(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    static String newState() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    Instant expiry() {
        return clock.instant().plus(ttl);
    }

    synchronized void add(String state, Pending p) {
        purge();
        // A new flow for the same upstream replaces the older one: only the latest link works.
        pending.values().removeIf(old -> old.upstream().equals(p.upstream()));
        while (pending.size() >= MAX) {
            Iterator<String> it = pending.keySet().iterator();
            it.next();
            it.remove();
        }
        pending.put(state, p);
    }

    /** The pending flow of this state, removed so that it can never be used again. */
    synchronized Pending take(String state) {
        purge();
        if (state == null || state.isBlank()) {
            throw new Refused("The callback has no state parameter; start the authorization again from Caravan.");
        }
        Pending p = pending.remove(state);
        if (p != null) {
            used.put(state, p.expiresAt());
            return p;
        }
        if (used.containsKey(state)) {
            throw new Refused("This authorization link was already used. Each link works once; start the "
                    + "authorization again from Caravan if the upstream still needs it.");
        }
        throw new Refused("Unknown or expired authorization request (state). Authorization links expire after "
                + ttl.toMinutes() + " minutes, and only the latest link of an upstream works; start again from "
                + "Caravan.");
    }

    /** The pending flow of an upstream, if one is open (for its status). */
    synchronized Pending of(String upstream) {
        purge();
        return pending.values().stream().filter(p -> p.upstream().equals(upstream)).findFirst().orElse(null);
    }

    synchronized void forget(String upstream) {
        pending.values().removeIf(p -> p.upstream().equals(upstream));
    }

    private void purge() {
        Instant now = clock.instant();
        pending.values().removeIf(p -> now.isAfter(p.expiresAt()));
        used.values().removeIf(now::isAfter);
        while (used.size() > MAX) {
            Iterator<String> it = used.keySet().iterator();
            it.next();
            it.remove();
        }
    }
}
