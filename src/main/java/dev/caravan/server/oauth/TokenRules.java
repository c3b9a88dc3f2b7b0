package dev.caravan.server.oauth;

import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claims an endpoint's policy asks of a genuine token: issuer, audience (RFC 8707 resource), time (with a small
 * clock skew), subject and required scopes; and the caller the token stands for. Each refusal says what was wrong.
 */
final class TokenRules {
    /** Principals are stored in columns of 200 characters ({@code endpoint/subject@issuer}). */
    private static final int MAX_PRINCIPAL = 200;

    private TokenRules() {
    }

    static Verdict judge(String endpoint, OAuthPolicy policy, Map<String, Object> claims, List<String> audiences,
                         Instant now, Duration skew) {
        Instant expires = instant(claims.get("exp"));
        if (expires == null) {
            return Verdict.invalid("The access token has no expiry (exp); this endpoint accepts only tokens that expire");
        }
        if (now.isAfter(expires.plus(skew))) {
            return Verdict.invalid("The access token has expired; get a new one from the identity provider");
        }
        Instant notBefore = instant(claims.get("nbf"));
        if (notBefore != null && now.plus(skew).isBefore(notBefore)) {
            return Verdict.invalid("The access token is not valid yet (nbf)");
        }
        Object issuer = claims.get("iss");
        if (issuer == null && !policy.introspected() || issuer != null && !sameIssuer(issuer.toString(), policy.issuer())) {
            return Verdict.invalid("The access token was issued by another issuer than the one this endpoint trusts ("
                    + policy.issuer() + ")");
        }
        List<String> audience = strings(claims.get("aud"));
        if (audience.stream().noneMatch(audiences::contains)) {
            return Verdict.invalid("The access token is not meant for this endpoint: its audience must be "
                    + audiences.get(0) + " (request it with resource=" + audiences.get(0) + ", RFC 8707)");
        }
        // RFC 7662 makes sub optional: a client_credentials token introspected without one acts for its client.
        Object subject = claims.get("sub") != null || !policy.introspected() ? claims.get("sub") : claims.get("client_id");
        if (subject == null || subject.toString().isBlank()) {
            return Verdict.invalid("The access token names no subject (sub)");
        }
        String credential = subject + "@" + label(policy.issuer());
        if (endpoint.length() + 1 + credential.length() > MAX_PRINCIPAL) {
            return Verdict.invalid("The access token's subject is too long to record (at most "
                    + (MAX_PRINCIPAL - endpoint.length() - 2 - label(policy.issuer()).length()) + " characters)");
        }
        List<String> scopes = scopes(claims);
        List<String> missing = policy.requiredScopes().stream().filter(s -> !scopes.contains(s)).toList();
        if (!missing.isEmpty()) {
            return Verdict.insufficient("The access token lacks the scope(s) " + String.join(", ", missing)
                    + " this endpoint requires", String.join(" ", policy.requiredScopes()));
        }
        List<String> mapped = "scope".equals(policy.scopeClaim()) ? scopes : strings(claims.get(policy.scopeClaim()));
        Set<WorkspaceScopes.Operation> operations = policy.operations(mapped);
        WorkspaceScopes granted = new WorkspaceScopes(policy.workspaces().isEmpty() ? List.of("*")
                : policy.workspaces(), operations);
        return Verdict.accepted(new Caller(endpoint, credential, granted), expires);
    }

    /** {@code scope} (a space-separated string, RFC 9068) or {@code scp} (a list, as Entra ID and Okta send it). */
    private static List<String> scopes(Map<String, Object> claims) {
        Object scope = claims.containsKey("scope") ? claims.get("scope") : claims.get("scp");
        return strings(scope);
    }

    private static List<String> strings(Object value) {
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(value.toString().trim().split("\\s+"));
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof Date d) {
            return d.toInstant();
        }
        if (value instanceof Number n) {
            return Instant.ofEpochSecond(n.longValue());
        }
        return null;
    }

    private static boolean sameIssuer(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String issuer) {
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }

    /** The issuer in principals: without its scheme, e.g. {@code login.example.com/realms/acme}. */
    static String label(String issuer) {
        return strip(issuer).replaceFirst("^https?://", "");
    }
}
