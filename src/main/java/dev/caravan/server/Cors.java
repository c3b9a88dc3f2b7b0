package dev.caravan.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.Locale;

/**
 * CORS for browser MCP clients on the MCP paths. Only called for requests {@link OriginGuard} let through, so
 * the origin is one Caravan allows. A preflight carries no credential (browsers never send one), so it is
 * answered before the credential check; the actual request still needs its bearer key.
 */
final class Cors {
    private static final String METHODS = "GET, POST, DELETE, OPTIONS";
    private static final String HEADERS = "Authorization, Content-Type, Mcp-Session-Id, MCP-Protocol-Version, "
            + "Last-Event-ID, Mcp-Method, Mcp-Name";
    /** Browser scripts may read only these response headers besides the simple ones. */
    private static final String EXPOSED = "Mcp-Session-Id, WWW-Authenticate";
    private static final String MAX_AGE = "600";

    private Cors() {
    }

    static boolean isPreflight(HttpServletRequest request) {
        return "OPTIONS".equals(request.getMethod()) && origin(request) != null
                && request.getHeader("Access-Control-Request-Method") != null;
    }

    /** Adds the headers an actual (non-preflight) response to an allowed origin needs. */
    static void allow(HttpServletRequest request, HttpServletResponse response) {
        String origin = origin(request);
        if (origin != null) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Expose-Headers", EXPOSED);
        }
        // The answer depends on Origin even when none was sent: caches must not reuse one across origins.
        if (response.getHeaders("Vary").stream().noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("origin"))) {
            response.addHeader("Vary", "Origin");
        }
    }

    static void answerPreflight(HttpServletRequest request, HttpServletResponse response) {
        allow(request, response);
        response.setHeader("Access-Control-Allow-Methods", METHODS);
        response.setHeader("Access-Control-Allow-Headers", HEADERS);
        response.setHeader("Access-Control-Max-Age", MAX_AGE);
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private static String origin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        return origin == null || origin.equals("null") ? null : origin;
    }
}
