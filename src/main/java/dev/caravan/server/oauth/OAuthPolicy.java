package dev.caravan.server.oauth;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.caravan.core.WorkspaceScopes;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How an endpoint accepts access tokens from the operator's identity provider (an OAuth 2.1 protected resource).
 *
 * @param issuer           the authorization server's issuer; its OpenID / RFC 8414 discovery names the JWKS
 * @param jwksUri          the JWK set, when discovery should be skipped
 * @param audience         the resource tokens must be issued for (RFC 8707); default the endpoint's canonical URL
 * @param requiredScopes   scopes every token must carry (403 insufficient_scope otherwise)
 * @param scopeClaim       the claim whose values map to workspace operations: {@code scope} (default), or e.g.
 *                         {@code roles} or {@code groups}
 * @param scopeOperations  claim value → workspace operations ({@code read}, {@code write}, {@code lock},
 *                         {@code share}, {@code admin}); empty: every valid token holds every operation
 * @param workspaces       the workspaces (names or globs) token holders may touch; default all
 * @param introspectionUri RFC 7662 introspection instead of JWT checks (for opaque tokens)
 * @param clientId         Caravan's client id at the introspection endpoint
 * @param clientSecretEnv  the environment variable holding that client's secret (never stored)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OAuthPolicy(String issuer, String jwksUri, String audience, List<String> requiredScopes,
                          String scopeClaim, Map<String, List<String>> scopeOperations, List<String> workspaces,
                          String introspectionUri, String clientId, String clientSecretEnv) {
    /** RFC 6749 §3.3 scope-token characters. */
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}");
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_:./-]{1,64}");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public OAuthPolicy {
        requiredScopes = requiredScopes == null ? List.of() : List.copyOf(requiredScopes);
        scopeClaim = scopeClaim == null || scopeClaim.isBlank() ? "scope" : scopeClaim.strip();
        scopeOperations = scopeOperations == null ? Map.of() : copy(scopeOperations);
        workspaces = workspaces == null ? List.of() : List.copyOf(workspaces);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> in) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, v == null ? List.of() : List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Whether tokens are introspected (RFC 7662) rather than read as JWTs. */
    public boolean introspected() {
        return introspectionUri != null;
    }

    /**
     * Checks every field and says what is wrong with the first bad one.
     *
     * @throws IllegalArgumentException with a message fit for the administrator
     */
    public OAuthPolicy checked() {
        url("issuer", issuer, true);
        url("jwksUri", jwksUri, false);
        url("introspectionUri", introspectionUri, false);
        if (audience != null && (audience.length() > 512 || !absolute(audience.strip()))) {
            throw new IllegalArgumentException("audience '" + audience + "' must be an absolute URI of at most 512 "
                    + "characters (the endpoint's canonical URL, e.g. https://caravan.example.com/mcp/sales)");
        }
        if (requiredScopes.size() > 20 || scopeOperations.size() > 50) {
            throw new IllegalArgumentException("at most 20 requiredScopes and 50 scopeOperations entries");
        }
        requiredScopes.forEach(s -> scope("requiredScopes", s));
        if (!CLAIM.matcher(scopeClaim).matches()) {
            throw new IllegalArgumentException("scopeClaim '" + scopeClaim + "' must be a claim name (letters, digits, "
                    + "'_', ':', '.', '/', '-'; at most 64 characters)");
        }
        scopeOperations.forEach((value, operations) -> {
            scope("scopeOperations", value);
            if (!operations.isEmpty()) { // an empty list maps the value to no operation
                WorkspaceScopes.parse(null, operations);
            }
        });
        WorkspaceScopes.parse(workspaces, null);
        if (introspected() && (clientId == null || clientId.isBlank() || clientSecretEnv == null
                || !ENV.matcher(clientSecretEnv).matches())) {
            throw new IllegalArgumentException("introspection needs clientId and clientSecretEnv (the name of an "
                    + "environment variable that holds Caravan's client secret at the identity provider)");
        }
        return this;
    }

    /** The workspace operations a token with these claim values holds. */
    Set<WorkspaceScopes.Operation> operations(List<String> claimValues) {
        if (scopeOperations.isEmpty()) {
            return EnumSet.allOf(WorkspaceScopes.Operation.class);
        }
        Set<WorkspaceScopes.Operation> out = EnumSet.noneOf(WorkspaceScopes.Operation.class);
        for (String value : claimValues) {
            for (String id : scopeOperations.getOrDefault(value, List.of())) {
                WorkspaceScopes.Operation op = WorkspaceScopes.Operation.of(id.strip().toLowerCase(Locale.ROOT));
                if (op != null) {
                    out.add(op);
                }
            }
        }
        return out;
    }

    /** The scopes to advertise in metadata ({@code scopes_supported}): required ones, then the mapped ones. */
    List<String> advertisedScopes() {
        List<String> out = new ArrayList<>(requiredScopes);
        if ("scope".equals(scopeClaim)) {
            scopeOperations.keySet().stream().filter(s -> !out.contains(s)).forEach(out::add);
        }
        return out;
    }

    private static boolean absolute(String uri) {
        try {
            return URI.create(uri).isAbsolute();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void scope(String field, String value) {
        if (value == null || !SCOPE.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " entry '" + value + "' is not an OAuth scope token (1-128 "
                    + "printable characters, no space, quote or backslash)");
        }
    }

    /** https, or http on a loopback host (an identity provider on the same machine, and tests). */
    private static void url(String field, String value, boolean required) {
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(field + " is required: the identity provider's issuer URL, e.g. "
                        + "https://login.example.com/realms/acme");
            }
            return;
        }
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " '" + value + "' is not a URL");
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (value.length() > 512 || uri.getRawQuery() != null || uri.getRawFragment() != null || host.isEmpty()
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && loopback)) {
            throw new IllegalArgumentException(field + " '" + value + "' must be an https URL without query or "
                    + "fragment (http only on a loopback host), at most 512 characters");
        }
    }
}
