package dev.caravan.server.oauth;

import dev.caravan.core.Caller;

import java.time.Instant;

/**
 * The outcome of checking an access token: the caller it stands for, or a refusal as RFC 6750 §3 words it (the HTTP
 * status, the {@code error} code, a description, and for insufficient_scope the {@code scope} needed).
 */
public record Verdict(Caller caller, Instant expiresAt, int status, String error, String description, String scope) {
    static Verdict accepted(Caller caller, Instant expiresAt) {
        return new Verdict(caller, expiresAt, 200, null, null, null);
    }

    /** No token was sent: RFC 6750 §3.1 says the challenge then carries no error code. */
    static Verdict missing(String description) {
        return new Verdict(null, null, 401, null, description, null);
    }

    static Verdict invalid(String description) {
        return new Verdict(null, null, 401, "invalid_token", description, null);
    }

    static Verdict badRequest(String description) {
        return new Verdict(null, null, 401, "invalid_request", description, null);
    }

    static Verdict insufficient(String description, String scope) {
        return new Verdict(null, null, 403, "insufficient_scope", description, scope);
    }

    static Verdict unavailable(String description) {
        return new Verdict(null, null, 503, "temporarily_unavailable", description, null);
    }

    public boolean accepted() {
        return caller != null;
    }

    /**
     * The {@code WWW-Authenticate} value: {@code Bearer resource_metadata="..."} (RFC 9728 §5.1) with the error, its
     * description and the scope needed. Quotes and backslashes cannot appear in a quoted-string here, so they go.
     */
    public String challenge(String resourceMetadata, String requiredScopes) {
        StringBuilder b = new StringBuilder("Bearer resource_metadata=\"").append(resourceMetadata).append('"');
        if (error != null && status != 503) {
            b.append(", error=\"").append(error).append('"');
        }
        if (description != null) {
            b.append(", error_description=\"").append(description.replaceAll("[\"\\\\\\r\\n]", "")).append('"');
        }
        String s = scope != null ? scope : requiredScopes;
        if (s != null && !s.isEmpty()) {
            b.append(", scope=\"").append(s).append('"');
        }
        return b.toString();
    }
}
