package dev.caravan.admin;

import dev.caravan.core.TokenCipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import jakarta.servlet.http.Cookie;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The sealed console cookie: what opens it, what does not. */
class ConsoleSessionsTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2026-12-04T00:00:00Z");

    private ConsoleSessions sessions(String adminToken, String secretKey, Instant at) {
        return new ConsoleSessions(TokenCipher.from(secretKey, dir), new AdminToken(adminToken, dir),
                Duration.ofHours(8), Clock.fixed(at, ZoneOffset.UTC));
    }

    private String issue(ConsoleSessions s, boolean https) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setSecure(https);
        MockHttpServletResponse response = new MockHttpServletResponse();
        s.signIn(request, response);
        String header = response.getHeader("Set-Cookie");
        assertThat(header).contains("HttpOnly", "SameSite=Strict", "Max-Age=28800");
        assertThat(header.contains("Secure")).isEqualTo(https);
        return header.substring(header.indexOf('=') + 1, header.indexOf(';'));
    }

    private static MockHttpServletRequest with(String value) {
        MockHttpServletRequest r = new MockHttpServletRequest();
        r.setCookies(new Cookie(ConsoleSessions.COOKIE, value));
        return r;
    }

    @Test
    void anotherNodeWithTheSameKeysOpensItUntilItExpires() {
        String value = issue(sessions("admin", "shared-key", now), true);
        assertThat(sessions("admin", "shared-key", now.plus(Duration.ofHours(7))).of(with(value))).isPresent();
        assertThat(sessions("admin", "shared-key", now.plus(Duration.ofHours(8))).of(with(value))).isEmpty();
    }

    @Test
    void anotherSecretKeyOrAChangedAdminTokenDoesNotOpenIt() {
        String value = issue(sessions("admin", "shared-key", now), false);
        assertThat(sessions("admin", "other-key", now).of(with(value))).isEmpty();
        assertThat(sessions("new-admin", "shared-key", now).of(with(value))).isEmpty();
    }

    @Test
    void theCsrfTokenMustMatch() {
        ConsoleSessions s = sessions("admin", "shared-key", now);
        ConsoleSessions.Session session = s.of(with(issue(s, false))).orElseThrow();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/admin/api/endpoints");
        assertThat(ConsoleSessions.csrfMatches(session, request)).isFalse();
        request.addHeader(ConsoleSessions.CSRF_HEADER, session.csrf() + "x");
        assertThat(ConsoleSessions.csrfMatches(session, request)).isFalse();
        MockHttpServletRequest right = new MockHttpServletRequest("POST", "/admin/api/endpoints");
        right.addHeader(ConsoleSessions.CSRF_HEADER, session.csrf());
        assertThat(ConsoleSessions.csrfMatches(session, right)).isTrue();
    }

    @Test
    void garbageIsNoSession() {
        ConsoleSessions s = sessions("admin", "shared-key", now);
        assertThat(s.of(with("v1:"))).isEmpty();
        assertThat(s.of(with("v1:%%%"))).isEmpty();
        assertThat(s.of(with("admin"))).isEmpty();
        assertThat(s.of(new MockHttpServletRequest())).isEmpty();
    }

    @Test
    void anOriginMustBeThisHost() {
        MockHttpServletRequest r = new MockHttpServletRequest();
        r.addHeader("Host", "caravan.example:8080");
        assertThat(ConsoleSessionFilter.sameOrigin(r)).isTrue();
        r.addHeader("Origin", "http://caravan.example:8080");
        assertThat(ConsoleSessionFilter.sameOrigin(r)).isTrue();
        MockHttpServletRequest other = new MockHttpServletRequest();
        other.addHeader("Host", "caravan.example:8080");
        other.addHeader("Origin", "http://caravan.example.evil:8080");
        assertThat(ConsoleSessionFilter.sameOrigin(other)).isFalse();
        MockHttpServletRequest bad = new MockHttpServletRequest();
        bad.addHeader("Host", "caravan.example");
        bad.addHeader("Origin", "null");
        assertThat(ConsoleSessionFilter.sameOrigin(bad)).isFalse();
    }
}
