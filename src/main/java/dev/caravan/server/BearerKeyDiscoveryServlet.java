package dev.caravan.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

/**
 * Answers the OAuth discovery and registration requests that MCP clients make after a 401 (RFC 9728
 * protected-resource metadata, RFC 8414 / OpenID authorization-server metadata, RFC 7591 registration at the
 * default {@code /register}). Caravan's endpoints take a bearer key, not OAuth, so each answer is a 404 whose
 * RFC 6749-style JSON says so: clients such as mcp-remote print the registration answer's body, so this text is
 * what a user with a wrong or missing key reads instead of a bare "Not Found".
 */
public class BearerKeyDiscoveryServlet extends HttpServlet {
    static final String NO_OAUTH = "This Caravan MCP endpoint does not use OAuth: it takes a bearer key. Send the "
            + "endpoint's token as 'Authorization: Bearer <token>' (mcp-remote: --header \"Authorization: Bearer "
            + "<token>\"), or use the endpoint's secret URL. If you did send one, it was refused (wrong, expired or "
            + "regenerated): ask the endpoint's administrator for the current token.";
    private static final ObjectMapper JSON = new ObjectMapper();

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
        response.setStatus(404);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        // "invalid_client_metadata" is the RFC 7591 code a registration client expects; the discovery documents
        // get the generic "not_found". Both carry the same actionable description.
        String error = request.getRequestURI().endsWith("/register") ? "invalid_client_metadata" : "not_found";
        response.getWriter().write(JSON.writeValueAsString(Map.of("error", error, "error_description", NO_OAUTH)));
    }
}
