package dev.caravan.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.web.ApiProblem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DNS-rebinding protection for every path, not only MCP: the admin API, file API, share links, health and the
 * console (which uses cookies) answer only requests whose Host is an allowed host. {@code /mcp} and {@code /sse}
 * are left to the dispatcher, which answers the same check in JSON-RPC shape.
 */
public final class HostCheckFilter extends OncePerRequestFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OriginGuard guard;

    public HostCheckFilter(OriginGuard guard) {
        this.guard = guard;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        // MCP answers its own refusal (JSON-RPC); health is probed by load balancers by address, and shows only a
        // status without the admin token, so a rebinding page learns nothing from it.
        return path.startsWith("/mcp/") || path.startsWith("/sse/") || path.startsWith("/actuator/health");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String refused = guard.refuseHost(request);
        if (refused == null) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(403);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        Map<String, Object> problem = new LinkedHashMap<>();
        // The same problem the API advice answers (the filter runs before Spring MVC, so it writes it itself).
        problem.put("type", ApiProblem.FORBIDDEN.type().toString());
        problem.put("title", ApiProblem.FORBIDDEN.title());
        problem.put("status", ApiProblem.FORBIDDEN.status().value());
        problem.put("detail", refused);
        response.getWriter().write(JSON.writeValueAsString(problem));
    }
}
