package dev.caravan.server;

import dev.caravan.core.Caller;
import dev.caravan.server.oauth.EndpointTokens;
import dev.caravan.server.oauth.Verdict;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Map;

/**
 * Who a request to {@code /mcp/NAME} or {@code /sse/NAME} speaks for: the credential it brings (a bearer key, the
 * secret URL's {@code key}, an access token from the endpoint's identity provider, or the legacy SSE session it
 * posts to) resolved to the {@link Caller} it opens that endpoint for, or the refusal to answer with. Nothing here
 * writes a response or logs a credential.
 */
final class CallerResolver {
    /** Tokens longer than this are not hashed or looked up: no key is that long. */
    private static final int MAX_TOKEN_CHARS = 512;

    private final EndpointService endpoints;
    private final SseSessionCallers sseCallers;
    /** Asked for when a session's credential is found gone, so its open stream is closed soon. */
    private final Runnable sweepSoon;
    /** Access tokens from the operator's identity provider, for the endpoints that take them (null: none do). */
    private volatile EndpointTokens tokens;

    CallerResolver(EndpointService endpoints, SseSessionCallers sseCallers, Runnable sweepSoon) {
        this.endpoints = endpoints;
        this.sseCallers = sseCallers;
        this.sweepSoon = sweepSoon;
    }

    void acceptTokens(EndpointTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The caller and how it was found, or ({@link #refused()}) the HTTP status, JSON-RPC code, message and headers
     * to refuse with. {@code token} is the credential as sent (null: none), {@code openedWith} its hash (or the hash
     * the SSE session was opened with), {@code sessionBound} whether a legacy SSE message POST rides its session.
     */
    record Resolution(Caller caller, String token, String openedWith, boolean viaToken, boolean sessionBound,
                      int status, int code, String error, Map<String, String> headers) {
        boolean refused() {
            return error != null;
        }

        static Resolution refusal(int status, int code, String error, Map<String, String> headers) {
            return new Resolution(null, null, null, false, false, status, code, error, headers);
        }
    }

    Resolution resolve(HttpServletRequest request, String endpoint, boolean sse, boolean sseMessage) {
        String token = credential(request);
        boolean sessionBound = sseMessage && token == null && request.getParameter("sessionId") != null;
        // A legacy SSE message POST is bound to a session opened with a secret; that secret must still be good.
        String openedWith = sessionBound ? sseCallers.openedWith(request.getParameter("sessionId"), endpoint)
                : token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS ? null : Credentials.hash(token);
        if (sessionBound && openedWith == null) {
            // Not open here (ended, closed on revocation, or never announced): the SDK may still hold it, but its
            // stream is gone, so nothing could answer.
            return Resolution.refusal(404, -32001, "Session not found or ended; open a new SSE stream at /sse/" + endpoint,
                    Map.of());
        }
        Caller caller = openedWith == null ? null : endpoints.authenticateHash(endpoint, openedWith);
        EndpointTokens tokens = this.tokens;
        boolean protectedResource = tokens != null && tokens.policy(endpoint).isPresent();
        boolean viaToken = false;
        if (caller == null && protectedResource && sessionBound) {
            // A legacy SSE message of a session opened with an access token: good while that token is.
            caller = tokens.session(endpoint, openedWith);
            viaToken = caller != null;
        } else if (caller == null && protectedResource) {
            String hash = token == null || token.isEmpty() ? null : Credentials.hash(token);
            Verdict verdict = tokens.check(endpoint, request, token, hash,
                    request.getHeader("Authorization") == null && token != null);
            if (!verdict.accepted()) {
                return refusedToken(request, endpoint, sse, verdict);
            }
            caller = verdict.caller();
            openedWith = hash;
            viaToken = true;
        }
        if (caller == null) {
            return unauthorized(request, endpoint, token, sessionBound, protectedResource);
        }
        if (sseMessage && !sessionBound && foreignSseSession(request, endpoint, caller, openedWith, viaToken)) {
            return Resolution.refusal(403, -32600, "This session was opened by another user or credential; open your own "
                    + "SSE stream at /sse/" + endpoint, Map.of());
        }
        return new Resolution(caller, token, openedWith, viaToken, sessionBound, 0, 0, null, Map.of());
    }

    /** Whether a credential (by hash) still opens the endpoint: streams held open with one that does not are closed. */
    boolean stillOpens(String endpoint, String hash) {
        EndpointTokens tokens = this.tokens;
        return endpoints.authenticateHash(endpoint, hash) != null || tokens != null && tokens.session(endpoint, hash) != null;
    }

    /** 401 with the RFC 6750 challenge: no credential, or one that opens nothing (any more). */
    private Resolution unauthorized(HttpServletRequest request, String endpoint, String token, boolean sessionBound,
                                    boolean protectedResource) {
        if (sessionBound) {
            sweepSoon.run();
        }
        String why = sessionBound
                ? "The credential this session was opened with is no longer valid (expired, regenerated or deleted); reconnect with the current one"
                : token == null
                ? "This endpoint needs a credential: send 'Authorization: Bearer <token>' or use the endpoint's secret URL"
                : "The credential is not valid for this endpoint (wrong, expired or regenerated); ask for the current one";
        // error_description says in the challenge itself that this is a bearer key, not OAuth (RFC 6750 §3);
        // the OAuth discovery a client may try next is answered by BearerKeyDiscoveryServlet.
        String challenge = protectedResource
                ? "Bearer resource_metadata=\"" + tokens.metadataUrl(request, "/sse/" + endpoint)
                + "\", error=\"invalid_token\", error_description=\"" + why.replace("'", "") + "\""
                : "Bearer realm=\"caravan\", error=\""
                + (token == null && !sessionBound ? "invalid_request" : "invalid_token") + "\", error_description=\""
                + why.replace("'", "") + "\"";
        return Resolution.refusal(401, -32600, why, Map.of("WWW-Authenticate", challenge));
    }

    /** The RFC 6750 / RFC 9728 challenge for an endpoint that takes access tokens. */
    private Resolution refusedToken(HttpServletRequest request, String endpoint, boolean sse, Verdict verdict) {
        if (verdict.status() == 503) {
            return Resolution.refusal(503, -32000, verdict.description(), Map.of("Retry-After", "5"));
        }
        String metadata = tokens.metadataUrl(request, "/" + (sse ? "sse" : "mcp") + "/" + endpoint);
        return Resolution.refusal(verdict.status(), -32600, verdict.description(),
                Map.of("WWW-Authenticate", verdict.challenge(metadata, tokens.challengeScopes(endpoint))));
    }

    /**
     * Whether a legacy SSE message that brings its own credential names a session another principal opened, where
     * either of them came with an access token (a user's token must not ride someone else's session; sessions
     * opened and used with keys are left as they were).
     */
    private boolean foreignSseSession(HttpServletRequest request, String endpoint, Caller caller, String hash,
                                      boolean viaToken) {
        String opener = sseCallers.openedWith(request.getParameter("sessionId"), endpoint);
        if (opener == null || opener.equals(hash)) {
            return false;
        }
        EndpointTokens tokens = this.tokens;
        Caller openedBy = endpoints.authenticateHash(endpoint, opener);
        boolean openerViaToken = openedBy == null && tokens != null
                && (openedBy = tokens.session(endpoint, opener)) != null;
        if (openedBy == null) {
            return viaToken;
        }
        return (viaToken || openerViaToken) && !openedBy.principal().equals(caller.principal());
    }

    private static String credential(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return request.getParameter("key");
    }
}
