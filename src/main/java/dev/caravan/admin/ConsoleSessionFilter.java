package dev.caravan.admin;

import dev.caravan.web.ApiProblem;
import dev.caravan.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

/**
 * Lets the console's session cookie stand for the admin token on the admin API. A request that already brought the
 * bearer token is left alone (curl users see no change, and need no CSRF token: a bearer header is not sent by a
 * browser on its own). A cookie-authenticated request that changes something must carry the session's CSRF token in
 * {@code X-CSRF-Token} and, when it says where it comes from, an {@code Origin} of this host.
 *
 * <p>Hand-written rather than Spring Security's CsrfFilter: that filter would demand a CSRF token from every POST on
 * the chain, bearer-token scripts included, and the admin API must stay unchanged for them. A custom header cannot
 * be set by another site without a CORS preflight (which Caravan never grants), and the SameSite=Strict cookie is not
 * sent cross-site at all; the token tied to the session adds a check that does not rely on the browser alone.
 */
final class ConsoleSessionFilter extends OncePerRequestFilter {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
    private final ConsoleSessions sessions;

    ConsoleSessionFilter(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (SecurityContextHolder.getContext().getAuthentication() == null && request.getHeader("Authorization") == null) {
            var session = sessions.of(request);
            if (session.isPresent()) {
                if (!SAFE.contains(request.getMethod())) {
                    if (!ConsoleSessions.csrfMatches(session.get(), request)) {
                        Problems.write(request, response, ApiProblem.FORBIDDEN, "The console's CSRF token is missing "
                                + "or wrong (header X-CSRF-Token); reload the console and try again");
                        return;
                    }
                    if (!sameOrigin(request)) {
                        Problems.write(request, response, ApiProblem.FORBIDDEN,
                                "A console request from another origin is refused");
                        return;
                    }
                }
                request.setAttribute(AdminToken.CONSOLE_SESSION, Boolean.TRUE);
                SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                        "console", null, AuthorityUtils.createAuthorityList("ROLE_ADMIN")));
            }
        }
        chain.doFilter(request, response);
    }

    /** No Origin header (older browsers, same-origin GET-like requests) passes; otherwise its host must be ours. */
    static boolean sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        try {
            URI o = URI.create(origin);
            String host = request.getHeader("Host");
            String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host != null && o.getHost() != null && host.equalsIgnoreCase(authority);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
