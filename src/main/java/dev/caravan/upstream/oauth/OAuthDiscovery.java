package dev.caravan.upstream.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the authorization server of an MCP server, as the MCP authorization spec lays out.
 * <p>
 * Hand-written on purpose: Spring Security's {@code ClientRegistrations.fromIssuerLocation} only knows RFC 8414 /
 * OpenID metadata for an issuer you already have; it has no RFC 9728 protected-resource metadata, no
 * {@code WWW-Authenticate: Bearer resource_metadata=...} parsing, and fails on metadata without
 * {@code userinfo}/{@code jwks} fields MCP servers often omit. So:
 * <ol>
 * <li>an unauthenticated request to the MCP URL; a 401's {@code WWW-Authenticate} may name the
 *     {@code resource_metadata} URL (and a {@code scope});</li>
 * <li>else {@code /.well-known/oauth-protected-resource/<path>} then {@code /.well-known/oauth-protected-resource};</li>
 * <li>the first of its {@code authorization_servers}, or (no resource metadata at all) the MCP server's origin;</li>
 * <li>authorization server metadata: RFC 8414 {@code /.well-known/oauth-authorization-server/<path>}, OpenID
 *     {@code /.well-known/openid-configuration/<path>} and {@code <issuer>/.well-known/openid-configuration}
 *     for issuers with a path (only these: a root document describes another issuer), or the root forms for
 *     issuers without one ({@link #authorizationServerMetadata}).</li>
 * </ol>
 */
class OAuthDiscovery {
    private static final Logger log = LoggerFactory.getLogger(OAuthDiscovery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]+))");
    static final String PROTOCOL_VERSION = "2025-06-18";
    static final String MODERN_VERSION = "2026-07-28";

    private final HttpClient http;
    private final Duration timeout;

    OAuthDiscovery(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    /** What discovery found. {@code resource} is what to send as the RFC 8707 indicator. */
    record Result(String issuer, String authorizationEndpoint, String tokenEndpoint, String registrationEndpoint,
                  String resource, String scope, List<String> authMethods, boolean clientIdMetadataDocuments,
                  boolean issParameter) {
    }

    Result discover(OAuthOptions options) {
        URI server = URI.create(options.serverUrl());
        String challengeScope = null;
        JsonNode resourceMetadata = null;
        String issuer = options.authorizationServer();
        boolean inferred = false; // the issuer was guessed (2025-03-26), not named by resource metadata or config
        if (issuer == null) {
            String metadataUrl = null;
            String challenge = challenge(server);
            if (challenge != null) {
                Map<String, String> params = bearerParams(challenge);
                metadataUrl = params.get("resource_metadata");
                challengeScope = params.get("scope");
            }
            List<String> candidates = new ArrayList<>();
            if (metadataUrl != null) {
                candidates.add(metadataUrl);
            }
            candidates.addAll(wellKnown(server, "oauth-protected-resource"));
            String[] from = new String[1];
            resourceMetadata = firstJson(candidates, from);
            if (resourceMetadata != null && options.checkResource()) {
                checkResource(resourceMetadata, from[0], server);
            }
            if (resourceMetadata != null && resourceMetadata.path("authorization_servers").isArray()
                    && !resourceMetadata.path("authorization_servers").isEmpty()) {
                issuer = resourceMetadata.path("authorization_servers").get(0).asText();
            } else {
                // No protected resource metadata (MCP 2025-03-26 servers): the MCP server's origin is the issuer.
                issuer = server.getScheme() + "://" + server.getRawAuthority();
                inferred = true;
            }
        }
        URI issuerUri = URI.create(issuer);
        String[] asFrom = new String[1];
        JsonNode as = firstJson(authorizationServerMetadata(issuerUri), asFrom);
        if (as != null && inferred && as.hasNonNull("issuer")) {
            issuer = as.get("issuer").asText(); // the authorization base URL's metadata names the real issuer
        } else if (as != null && as.hasNonNull("issuer") && !issuer.equals(as.get("issuer").asText())) {
            // RFC 8414 §3.3 (and SEP-2468): metadata naming another issuer than the one it was fetched for must not be
            // used, or a server could point Caravan at endpoints of its choosing.
            throw new OAuthException("the authorization server metadata at " + asFrom[0] + " names the issuer '"
                    + as.get("issuer").asText() + "', not '" + issuer + "' it was fetched for (RFC 8414 §3.3); Caravan "
                    + "does not use it");
        }
        String authorization;
        String token;
        String registration;
        List<String> methods = new ArrayList<>();
        if (as != null) {
            authorization = text(as, "authorization_endpoint");
            token = text(as, "token_endpoint");
            registration = text(as, "registration_endpoint");
            as.path("token_endpoint_auth_methods_supported").forEach(n -> methods.add(n.asText()));
            JsonNode pkce = as.path("code_challenge_methods_supported");
            if (pkce.isArray() && !pkce.isEmpty() && !pkce.toString().contains("\"S256\"")) {
                throw new OAuthException("the authorization server " + issuer + " does not support PKCE S256");
            }
        } else {
            // MCP 2025-03-26 fallback: default endpoints on the authorization base URL.
            String base = issuerUri.getScheme() + "://" + issuerUri.getRawAuthority();
            authorization = base + "/authorize";
            token = base + "/token";
            registration = base + "/register";
        }
        if (token == null) {
            throw new OAuthException("the authorization server " + issuer + " publishes no token_endpoint");
        }
        String resource = resourceMetadata != null && resourceMetadata.hasNonNull("resource")
                ? resourceMetadata.get("resource").asText() : canonical(server);
        String scope = options.scope() != null ? options.scope() : challengeScope;
        if (scope == null && resourceMetadata != null && resourceMetadata.path("scopes_supported").isArray()
                && !resourceMetadata.path("scopes_supported").isEmpty()) {
            List<String> scopes = new ArrayList<>();
            resourceMetadata.path("scopes_supported").forEach(n -> scopes.add(n.asText()));
            scope = String.join(" ", scopes);
        }
        boolean cimd = as != null && as.path("client_id_metadata_document_supported").asBoolean(false);
        boolean iss = as != null && as.path("authorization_response_iss_parameter_supported").asBoolean(false);
        return new Result(issuer, authorization, token, registration, resource, scope, List.copyOf(methods), cimd, iss);
    }

    /**
     * The WWW-Authenticate header of the first request the connector would send, unauthenticated, when the server
     * answers 401 (or 403); else null. That is {@code server/discover} (2026-07-28), then {@code initialize} (2025):
     * a server may let one of them through without a token and challenge the other, and the challenge's scope is
     * what the connector is going to be asked for.
     */
    private String challenge(URI server) {
        String discover = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"server/discover\",\"params\":{\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN_VERSION + "\","
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"caravan\",\"version\":\"1\"},"
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        String found = challenge(server, discover, MODERN_VERSION, "server/discover");
        if (found != null) {
            return found;
        }
        String initialize = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + PROTOCOL_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"caravan\",\"version\":\"1\"}}}";
        return challenge(server, initialize, PROTOCOL_VERSION, "initialize");
    }

    private String challenge(URI server, String body, String version, String method) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(server).timeout(timeout)
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .header("MCP-Protocol-Version", version).header("Mcp-Method", method)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                return r.headers().allValues("WWW-Authenticate").stream()
                        .filter(h -> h.regionMatches(true, 0, "Bearer", 0, 6)).findFirst().orElse(null);
            }
            return null;
        } catch (IOException e) {
            throw new OAuthException("cannot reach the upstream at " + target(server) + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OAuthException("interrupted");
        }
    }

    /** The auth-params of a {@code Bearer} challenge (RFC 6750 §3). */
    static Map<String, String> bearerParams(String challenge) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge.substring(Math.min(6, challenge.length())));
        while (m.find()) {
            String v = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
            out.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), v);
        }
        return out;
    }

    /** Protected resource metadata URLs to try, in order: path-aware ({@code /.well-known/NAME/path}), then root. */
    static List<String> wellKnown(URI uri, String name) {
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        List<String> out = new ArrayList<>();
        if (!path.isEmpty()) {
            out.add(origin + "/.well-known/" + name + path);
        }
        out.add(origin + "/.well-known/" + name);
        return out;
    }

    /**
     * Where an issuer's metadata may be, in the order of the MCP spec: for an issuer with a path, RFC 8414 and OpenID
     * with the path inserted, then OpenID with it appended, and never the root documents (they belong to another
     * issuer on the same host); for an issuer without one, the two root documents.
     */
    static List<String> authorizationServerMetadata(URI issuer) {
        String origin = issuer.getScheme() + "://" + issuer.getRawAuthority();
        String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty()) {
            return List.of(origin + "/.well-known/oauth-authorization-server",
                    origin + "/.well-known/openid-configuration");
        }
        return List.of(origin + "/.well-known/oauth-authorization-server" + path,
                origin + "/.well-known/openid-configuration" + path, origin + path + "/.well-known/openid-configuration");
    }

    /** The first URL that answers a JSON object; {@code from[0]} says which. */
    private JsonNode firstJson(List<String> urls, String[] from) {
        for (String url : urls) {
            from[0] = url;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                        .header("Accept", "application/json").header("MCP-Protocol-Version", PROTOCOL_VERSION)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    JsonNode n = JSON.readTree(r.body());
                    if (n != null && n.isObject()) {
                        return n;
                    }
                }
                log.debug("OAuth discovery: {} answered {}", url, r.statusCode());
            } catch (IOException | IllegalArgumentException e) {
                log.debug("OAuth discovery: {} failed: {}", url, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OAuthException("interrupted");
            }
        }
        return null;
    }

    /**
     * RFC 9728 §3.3: the metadata must be about the resource Caravan is calling, or a server could have Caravan ask
     * another resource's authorization server for a token and hand that token to it. Accepted, as the MCP SDKs do:
     * the same origin, and a path that is the upstream's path or a parent of it ({@code https://h} covers
     * {@code https://h/mcp}).
     */
    static void checkResource(JsonNode metadata, String from, URI server) {
        String resource = text(metadata, "resource");
        if (resource == null) {
            throw new OAuthException("the protected resource metadata at " + from + " names no resource (RFC 9728 "
                    + "requires it), so it cannot be checked against the upstream's URL " + target(server)
                    + "; set auth.check_resource: false to accept it anyway");
        }
        if (!covers(resource, server)) {
            throw new OAuthException("the protected resource metadata at " + from + " is for the resource '"
                    + resource + "', not for the upstream's URL " + target(server) + " (RFC 9728 §3.3): Caravan does "
                    + "not get tokens for another resource. Check the upstream's url; if the server is knowingly "
                    + "reached under another address (e.g. behind a proxy), set auth.check_resource: false");
        }
    }

    static boolean covers(String resource, URI server) {
        URI r;
        try {
            r = URI.create(resource);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (r.getScheme() == null || r.getHost() == null
                || !r.getScheme().equalsIgnoreCase(server.getScheme())
                || !r.getHost().equalsIgnoreCase(server.getHost()) || port(r) != port(server)) {
            return false;
        }
        String parent = r.getRawPath() == null ? "" : r.getRawPath().replaceAll("/+$", "");
        String path = server.getRawPath() == null ? "" : server.getRawPath().replaceAll("/+$", "");
        return parent.isEmpty() || path.equals(parent) || path.startsWith(parent + "/");
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** The RFC 8707 canonical URI of the MCP server: no fragment, no query, lower-case scheme and host. */
    static String canonical(URI server) {
        String path = server.getRawPath() == null ? "" : server.getRawPath();
        return server.getScheme().toLowerCase(Locale.ROOT) + "://"
                + server.getRawAuthority().toLowerCase(Locale.ROOT) + path;
    }

    static String target(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    /**
     * The OpenID Connect registration {@code application_type}, which MCP requires in registrations (SEP-837):
     * {@code native} when the redirect goes to this machine (loopback or a private scheme: the probe, a desktop
     * install), {@code web} when it goes to a hub on a host name (servers may refuse loopback redirects for web).
     */
    static String applicationType(String redirectUri) {
        try {
            URI uri = URI.create(redirectUri);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            boolean loopback = host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
                    || host.equals("[::1]") || host.equals("::1");
            return !scheme.equals("http") && !scheme.equals("https") || loopback ? "native" : "web";
        } catch (IllegalArgumentException e) {
            return "web";
        }
    }

    /**
     * RFC 7591 dynamic client registration (Spring Security has no client-side support for it). Registers a public
     * client (PKCE, {@code token_endpoint_auth_method: none}) unless the server only takes secrets.
     */
    StoredGrant register(Result found, String redirectUri) {
        if (found.registrationEndpoint() == null) {
            throw new OAuthException("the authorization server " + found.issuer() + " offers no dynamic client "
                    + "registration; register Caravan there (redirect URI " + redirectUri + ") and set client_id "
                    + "(and client_secret) under auth in upstreams.yaml");
        }
        String method = found.authMethods().isEmpty() || found.authMethods().contains("none") ? "none"
                : found.authMethods().contains("client_secret_post") ? "client_secret_post" : "client_secret_basic";
        var request = JSON.createObjectNode().put("client_name", "Caravan").put("token_endpoint_auth_method", method)
                .put("application_type", applicationType(redirectUri));
        request.putArray("redirect_uris").add(redirectUri);
        request.putArray("grant_types").add("authorization_code").add("refresh_token");
        request.putArray("response_types").add("code");
        if (found.scope() != null) {
            request.put("scope", found.scope());
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(found.registrationEndpoint()))
                    .timeout(timeout).header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode n = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
            if (r.statusCode() / 100 != 2 || n == null || !n.hasNonNull("client_id")) {
                String error = n == null ? "" : ": " + n.path("error").asText("") + " "
                        + n.path("error_description").asText("");
                throw new OAuthException("dynamic client registration at " + found.registrationEndpoint()
                        + " failed (HTTP " + r.statusCode() + error.stripTrailing() + ")");
            }
            String secret = n.hasNonNull("client_secret") ? n.get("client_secret").asText() : null;
            String used = n.hasNonNull("token_endpoint_auth_method") ? n.get("token_endpoint_auth_method").asText()
                    : secret == null ? "none" : method;
            return new StoredGrant(found.issuer(), found.authorizationEndpoint(), found.tokenEndpoint(),
                    found.resource(), found.scope(), n.get("client_id").asText(), secret, used, redirectUri, true,
                    null, null, null);
        } catch (IOException e) {
            throw new OAuthException("dynamic client registration at " + found.registrationEndpoint()
                    + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OAuthException("interrupted");
        }
    }
}
