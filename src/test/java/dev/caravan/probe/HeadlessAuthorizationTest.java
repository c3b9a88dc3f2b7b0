package dev.caravan.probe;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The probe's stand-in for a browser: follows the authorization server's redirects, never the redirect URI. */
class HeadlessAuthorizationTest {
    static final String REDIRECT = "http://127.0.0.1:9/oauth/callback";
    HttpServer server;
    final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            seen.add(path);
            String location = switch (path) {
                case "/authorize" -> "/consent?x=1"; // relative, on the authorization server itself
                case "/consent" -> REDIRECT + "?code=c%2B1&state=s1";
                case "/denied" -> REDIRECT + "?error=access_denied&error_description=no%20thanks&state=s2";
                case "/loop" -> "/loop";
                case "/elsewhere" -> "http://127.0.0.1:9/other?code=stolen";
                default -> null;
            };
            if (location != null) {
                ex.getResponseHeaders().add("Location", location);
            }
            ex.sendResponseHeaders(location == null ? 200 : 302, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    HeadlessAuthorization browser() {
        return new HeadlessAuthorization(Duration.ofSeconds(5));
    }

    @Test
    void aLoginPageOrARedirectLoopIsAClearFailure() {
        assertThatThrownBy(() -> browser().follow(url("/login"), REDIRECT))
                .hasMessageContaining("answered HTTP 200").hasMessageContaining("needs a person");
        assertThatThrownBy(() -> browser().follow(url("/loop"), REDIRECT)).hasMessageContaining("more than 10 redirects");
        // A redirect to another path on the redirect URI's host is not the callback: followed, then it fails there.
        assertThatThrownBy(() -> browser().follow(url("/elsewhere"), REDIRECT))
                .hasMessageContaining("cannot open the authorization URL http://127.0.0.1:9/other");
    }

    @Test
    void takesTheCodeOrTheErrorFromTheRedirectWithoutCallingIt() {
        HeadlessAuthorization.Callback ok = browser().follow(url("/authorize?client_id=c"), REDIRECT);
        assertThat(ok.code()).isEqualTo("c+1");
        assertThat(ok.state()).isEqualTo("s1");
        assertThat(ok.error()).isNull();
        assertThat(seen).containsExactly("/authorize", "/consent");

        HeadlessAuthorization.Callback denied = browser().follow(url("/denied"), REDIRECT);
        assertThat(denied.code()).isNull();
        assertThat(denied.error()).isEqualTo("access_denied");
        assertThat(denied.errorDescription()).isEqualTo("no thanks");
    }
}
