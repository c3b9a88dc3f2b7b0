package dev.caravan.admin;

import dev.caravan.core.TokenCipher;
import dev.caravan.server.Credentials;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ResponseCookie;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The console's sign-in, kept in the browser as one sealed cookie rather than in an HTTP session: several nodes run
 * behind a round-robin load balancer, and an in-memory session would exist on one node only (sticky routing or a
 * shared session store would be needed). The cookie is AES-GCM sealed with the node-shared {@code caravan.secret-key}
 * ({@link TokenCipher}), so any node can open it, and any change to it fails the tag check. It holds the expiry and
 * a random CSRF token; the admin token's fingerprint is bound in as associated data, so changing the admin token
 * signs every console out. Sign-out clears the cookie; a copied cookie stays valid until its expiry (keep
 * {@code caravan.console.session-ttl} short where that matters).
 */
public final class ConsoleSessions {
    public static final String COOKIE = "caravan_console";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String KIND = "console-session";

    private final TokenCipher cipher;
    private final String context;
    private final Duration ttl;
    private final Clock clock;

    public ConsoleSessions(TokenCipher cipher, AdminToken admin, Duration ttl, Clock clock) {
        this.cipher = cipher;
        this.context = KIND + ":" + admin.fingerprint();
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A signed-in console: its CSRF token and when it ends. */
    public record Session(String csrf, Instant expiresAt) {
    }

    /** A new session, written to the response as the cookie. */
    public Session signIn(HttpServletRequest request, HttpServletResponse response) {
        Session session = new Session(Credentials.newToken().substring(Credentials.PREFIX.length()),
                clock.instant().plus(ttl));
        String value = cipher.seal(session.csrf() + "|" + session.expiresAt().getEpochSecond(), context);
        response.addHeader("Set-Cookie", cookie(request, value, ttl).toString());
        return session;
    }

    public void signOut(HttpServletRequest request, HttpServletResponse response) {
        response.addHeader("Set-Cookie", cookie(request, "", Duration.ZERO).toString());
    }

    /** The session in the request's cookie, if there is one that this key sealed and that has not expired. */
    public Optional<Session> of(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return Optional.empty();
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName()) && !c.getValue().isEmpty()) {
                return open(c.getValue());
            }
        }
        return Optional.empty();
    }

    Optional<Session> open(String value) {
        try {
            String plain = cipher.open(value, context);
            int bar = plain.indexOf('|');
            Instant expires = Instant.ofEpochSecond(Long.parseLong(plain.substring(bar + 1)));
            return expires.isAfter(clock.instant()) ? Optional.of(new Session(plain.substring(0, bar), expires))
                    : Optional.empty();
        } catch (RuntimeException tamperedOrMalformed) { // TokenCipher.Unreadable, or not our format
            return Optional.empty();
        }
    }

    /** Whether the request carries this session's CSRF token in {@link #CSRF_HEADER}. */
    public static boolean csrfMatches(Session session, HttpServletRequest request) {
        String sent = request.getHeader(CSRF_HEADER);
        return sent != null && Credentials.sameHash(Credentials.hash(session.csrf()), Credentials.hash(sent));
    }

    private static ResponseCookie cookie(HttpServletRequest request, String value, Duration maxAge) {
        boolean https = request.isSecure() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
        return ResponseCookie.from(COOKIE, value).httpOnly(true).secure(https).sameSite("Strict").path("/")
                .maxAge(maxAge).build();
    }
}
