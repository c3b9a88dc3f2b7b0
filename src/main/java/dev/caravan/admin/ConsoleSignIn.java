package dev.caravan.admin;

import dev.caravan.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;

/**
 * The console's sign-in: the admin token is POSTed once (in the body, never in a URL) and exchanged for the session
 * cookie; the answer carries the CSRF token the console sends back on every change.
 */
@RestController
@RequestMapping("/console/api/session")
public class ConsoleSignIn {
    private static final Logger log = LoggerFactory.getLogger(ConsoleSignIn.class);
    private final AdminToken admin;
    private final ConsoleSessions sessions;

    public ConsoleSignIn(AdminToken admin, ConsoleSessions sessions) {
        this.admin = admin;
        this.sessions = sessions;
    }

    public record SignIn(String token) {
    }

    public record SessionView(String csrf, Instant expiresAt) {
    }

    @PostMapping
    public SessionView signIn(@RequestBody(required = false) SignIn body, HttpServletRequest request,
                              HttpServletResponse response) {
        if (!ConsoleSessionFilter.sameOrigin(request)) {
            throw ApiException.forbidden("A sign-in from another origin is refused");
        }
        if (body == null || body.token() == null || !admin.matches(body.token().trim())) {
            log.warn("Console sign-in refused: wrong admin token (from {})", request.getRemoteAddr());
            throw ApiException.unauthorized("That is not the admin token (CARAVAN_ADMIN_TOKEN, or the token in "
                    + "DATA_DIR/admin-token)");
        }
        ConsoleSessions.Session s = sessions.signIn(request, response);
        log.info("Console signed in (from {})", request.getRemoteAddr());
        return new SessionView(s.csrf(), s.expiresAt());
    }

    /** The current session (so a reloaded page gets its CSRF token back), or 401. */
    @GetMapping
    public SessionView current(HttpServletRequest request) {
        return sessions.of(request).map(s -> new SessionView(s.csrf(), s.expiresAt()))
                .orElseThrow(() -> ApiException.unauthorized("Not signed in to the console"));
    }

    @DeleteMapping
    public ResponseEntity<Void> signOut(HttpServletRequest request, HttpServletResponse response) {
        sessions.of(request).ifPresent(s -> {
            if (!ConsoleSessions.csrfMatches(s, request)) {
                throw ApiException.forbidden("The console's CSRF token is missing or wrong (header X-CSRF-Token)");
            }
        });
        sessions.signOut(request, response);
        return ResponseEntity.noContent().build();
    }
}
