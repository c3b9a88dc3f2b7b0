package dev.caravan.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.server.oauth.EndpointTokens;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers the OAuth discovery and registration requests that MCP clients make after a 401 (RFC 9728
 * protected-resource metadata, RFC 8414 / OpenID authorization-server metadata, RFC 7591 registration at the
 * default {@code /register}). Caravan's endpoints take a bearer key, not OAuth, so each answer is a 404 whose
 * RFC 6749-style JSON says so: clients such as mcp-remote print the registration answer's body, so this text is
 * what a user with a wrong or missing key reads instead of a bare "Not Found". An endpoint that does take access
 * tokens (see {@link EndpointTokens}) gets its RFC 9728 metadata here instead, readable from any origin (it is public,
 * and browser clients such as the Inspector fetch it cross-origin).
 */
public class BearerKeyDiscoveryServlet extends HttpServlet {
    static final String NO_OAUTH = "This Caravan MCP endpoint does not use OAuth: it takes a bearer key. Send the "
            + "endpoint's token as 'Authorization: Bearer <token>' (mcp-remote: --header \"Authorization: Bearer "
            + "<token>\"), or use the endpoint's secret URL. If you did send one, it was refused (wrong, expired or "
            + "regenerated): ask the endpoint's administrator for the current token.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EndpointTokens tokens;

    public BearerKeyDiscoveryServlet() {
        this(null);
    }

    public BearerKeyDiscoveryServlet(EndpointTokens tokens) {
        this.tokens = tokens;
    }

    /** The paths this servlet is mapped to (exact and with a resource path after them). */
    public static final String[] PATHS = {
            "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/*",
            "/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/*",
            "/.well-known/openid-configuration", "/.well-known/openid-configuration/*",
            "/register"};

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
        if (tokens != null && protectedResource(request, response)) {
            return;
        }
        response.setStatus(404);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        // "invalid_client_metadata" is the RFC 7591 code a registration client expects; the discovery documents
        // get the generic "not_found". Both carry the same actionable description.
        String error = request.getRequestURI().endsWith("/register") ? "invalid_client_metadata" : "not_found";
        response.getWriter().write(JSON.writeValueAsString(Map.of("error", error, "error_description", NO_OAUTH)));
    }

    /** Answers the metadata (or its CORS preflight) of an endpoint that takes tokens; false when there is none. */
    private boolean protectedResource(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (!path.startsWith(EndpointTokens.METADATA_PATH)) {
            return false;
        }
        String rest = path.substring(EndpointTokens.METADATA_PATH.length());
        String[] parts = rest.split("/", -1);
        Optional<Map<String, Object>> metadata;
        if (rest.isEmpty() || rest.equals("/")) {
            // Clients that probe only the root (RFC 9728 without a path) find the one endpoint that takes tokens.
            List<String> names = tokens.protectedEndpoints();
            if (names.size() > 1) {
                response.setStatus(404);
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write(JSON.writeValueAsString(Map.of("error", "not_found", "error_description",
                        "Several endpoints here take access tokens, each with its own metadata: "
                                + EndpointTokens.METADATA_PATH + "/mcp/NAME (the 401 names it in resource_metadata)")));
                return true;
            }
            metadata = names.isEmpty() ? Optional.empty() : tokens.metadata(names.get(0), "mcp", request);
        } else if (parts.length == 3 && ("mcp".equals(parts[1]) || "sse".equals(parts[1])) && !parts[2].isEmpty()) {
            metadata = tokens.metadata(parts[2], parts[1], request);
        } else {
            metadata = Optional.empty();
        }
        if (metadata.isEmpty()) {
            return false;
        }
        response.setHeader("Access-Control-Allow-Origin", "*");
        if ("OPTIONS".equals(request.getMethod())) {
            response.setHeader("Access-Control-Allow-Methods", "GET, OPTIONS");
            response.setHeader("Access-Control-Allow-Headers", "MCP-Protocol-Version");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(204);
            return true;
        }
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD, OPTIONS");
            response.setStatus(405);
            return true;
        }
        response.setHeader("Cache-Control", "max-age=60");
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(metadata.get()));
        return true;
    }
}
