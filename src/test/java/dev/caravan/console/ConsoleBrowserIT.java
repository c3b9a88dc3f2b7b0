package dev.caravan.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.upstream.oauth.OAuthDemoPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core, test-peers/clients/
 * console-browser.mjs) against one running Caravan, plus the sign-in's hostile inputs over plain HTTP.
 * Screenshots of every page land in target/console-screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserIT extends CaravanIntegrationTest {
    private static final Path PEERS = Path.of("test-peers").toAbsolutePath();
    private static final Path SHOTS = Path.of("target", "console-screenshots").toAbsolutePath();

    private OAuthDemoPeer oauthPeer;

    @AfterAll
    void stopPeer() {
        if (oauthPeer != null) {
            oauthPeer.close();
        }
    }

    @BeforeAll
    void routes() {
        oauthPeer = new OAuthDemoPeer(OAuthDemoPeer.freePort(), OAuthDemoPeer.freePort(), true).start();
        HttpResponse<String> upstream = admin("POST", "/admin/api/upstreams", """
                {"name":"demo","transport":"streamable-http","url":"%s","timeouts":{"connect":"10s","call":"10s"},
                 "auth":{"type":"oauth"}}""".formatted(oauthPeer.url()));
        assertThat(upstream.statusCode()).as(upstream.body()).isEqualTo(201);
        installRoutes("workspace");
        writeRoute("demo.yaml", """
                - route:
                    from:
                      uri: ai-tool:console_echo
                      parameters:
                        tags: console-demo
                        description: Echoes its text upper-cased.
                        readOnlyHint: true
                        parameter.text: string
                        parameter.text.description: What to echo
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: "${header.text.toUpperCase()}"
                - route:
                    from:
                      uri: ai-tool:console_progress
                      parameters:
                        description: Reports its progress in two steps.
                      steps:
                        - to: ai-client:progress?progress=1&total=2&message=halfway there
                        - delay:
                            constant: 2500
                        - to: ai-client:progress?progress=2&total=2&message=nearly done
                        - setBody:
                            constant: progressed
                """);
        await(Duration.ofSeconds(20), "console_echo in the catalogue",
                () -> admin("GET", "/admin/api/tools", null).body().contains("console_echo"));
    }

    private HttpResponse<String> signIn(String token) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/console/api/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("token", token).toString())).build());
    }

    private static String cookie(HttpResponse<?> r) {
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return set.substring(0, set.indexOf(';'));
    }

    private HttpResponse<String> withCookie(String method, String path, String cookie, String csrf, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Cookie", cookie)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return send(b.build());
    }

    @Test
    void theConsoleIsServedAtTheRootWithAStrictPolicy() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<script type=\"module\" src=\"/console/app.js\"></script>").doesNotContain("<script>");
        String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/console/app.js")).build()).statusCode()).isEqualTo(200);
    }

    @Test
    void aWrongTokenGetsNoCookie() {
        HttpResponse<String> r = signIn("wrong-token");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(r.body()).contains("not the admin token").doesNotContain("wrong-token");
        assertThat(signIn(null).statusCode()).isEqualTo(401);
        HttpResponse<String> junk = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/console/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{not json")).build());
        assertThat(junk.statusCode()).isEqualTo(400);
        assertThat(junk.body()).doesNotContain("at dev.caravan", "Exception");
    }

    @Test
    void theCookieIsHttpOnlyStrictAndOpensTheAdminApi() {
        HttpResponse<String> r = signIn(ADMIN_TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(set).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain(ADMIN_TOKEN);
        String csrf = json(r.body()).get("csrf").asText();
        assertThat(withCookie("GET", "/admin/api/endpoints", cookie(r), null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> created = withCookie("POST", "/admin/api/endpoints", cookie(r), csrf,
                "{\"name\":\"cookie-made\",\"tools\":[\"console-demo\"]}");
        assertThat(created.statusCode()).isEqualTo(201);
        // and the bearer token keeps working unchanged, with no CSRF token
        assertThat(admin("DELETE", "/admin/api/endpoints/cookie-made", null).statusCode()).isEqualTo(204);
    }

    @Test
    void aChangeWithoutTheCsrfTokenOrFromAnotherOriginIsRefused() {
        HttpResponse<String> r = signIn(ADMIN_TOKEN);
        String cookie = cookie(r);
        String csrf = json(r.body()).get("csrf").asText();
        String body = "{\"name\":\"csrf-less\",\"tools\":[\"console-demo\"]}";
        HttpResponse<String> noHeader = withCookie("POST", "/admin/api/endpoints", cookie, null, body);
        assertThat(noHeader.statusCode()).isEqualTo(403);
        assertThat(noHeader.body()).contains("CSRF");
        assertThat(withCookie("POST", "/admin/api/endpoints", cookie, "forged", body).statusCode()).isEqualTo(403);
        HttpResponse<String> otherOrigin = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/endpoints"))
                .header("Cookie", cookie).header("X-CSRF-Token", csrf).header("Origin", "https://evil.example")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(otherOrigin.statusCode()).isEqualTo(403);
        HttpResponse<String> upload = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/files/default/csrf.txt"))
                .header("Cookie", cookie).PUT(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(upload.statusCode()).isEqualTo(403);
        assertThat(admin("GET", "/admin/api/endpoints/csrf-less", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aTamperedOrForeignCookieIsRefused() {
        String cookie = cookie(signIn(ADMIN_TOKEN));
        String value = cookie.substring(cookie.indexOf('=') + 1);
        char last = value.charAt(value.length() - 5);
        String tampered = "caravan_console=" + value.substring(0, value.length() - 5) + (last == 'A' ? 'B' : 'A')
                + value.substring(value.length() - 4);
        assertThat(withCookie("GET", "/admin/api/endpoints", tampered, null, null).statusCode()).isEqualTo(401);
        assertThat(withCookie("GET", "/admin/api/endpoints", "caravan_console=v1:AAAA", null, null).statusCode()).isEqualTo(401);
        assertThat(withCookie("GET", "/admin/api/endpoints", "caravan_console=" + ADMIN_TOKEN, null, null).statusCode())
                .isEqualTo(401);
        assertThat(withCookie("GET", "/console/api/session", tampered, null, null).statusCode()).isEqualTo(401);
        assertThat(withCookie("GET", "/files/default/", tampered, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void theCatalogueApiSearchesPagesAndSeesANewToolAtOnce() {
        JsonNode all = json(admin("GET", "/admin/api/catalog?kind=tools&limit=5", null).body());
        assertThat(all.get("total").asInt()).isGreaterThan(30);
        assertThat(all.get("items")).hasSize(5);
        JsonNode second = json(admin("GET", "/admin/api/catalog?kind=tools&offset=5&limit=5", null).body());
        assertThat(second.at("/items/0/name").asText()).isNotEqualTo(all.at("/items/0/name").asText());
        JsonNode echo = json(admin("GET", "/admin/api/catalog?q=ECHOES+upper&select=console-*", null).body());
        assertThat(echo.get("total").asInt()).isEqualTo(1);
        assertThat(echo.at("/items/0/inputSchema/properties/text/type").asText()).isEqualTo("string");
        assertThat(echo.at("/items/0/annotations/readOnlyHint").asBoolean()).isTrue();
        assertThat(echo.at("/items/0/source").asText()).contains("demo.yaml");
        for (String bad : List.of("limit=0", "limit=201", "offset=-1", "kind=secrets", "select=a%20b")) {
            HttpResponse<String> r = admin("GET", "/admin/api/catalog?" + bad, null);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).doesNotContain("Exception");
        }
        assertThat(admin("POST", "/admin/api/tools/no_such_tool/call", "{}").statusCode()).isEqualTo(404);

        writeRoute("late.yaml", """
                - route:
                    from:
                      uri: ai-tool:console_late_arrival
                      parameters:
                        description: Added while the console is open.
                      steps:
                        - setBody:
                            constant: here
                """);
        await(Duration.ofSeconds(20), "the new tool in the catalogue search", () ->
                json(admin("GET", "/admin/api/catalog?q=late_arrival", null).body()).get("total").asInt() == 1);
        HttpResponse<String> ran = admin("POST", "/admin/api/tools/console_late_arrival/call", "{\"arguments\":{}}");
        assertThat(json(ran.body()).at("/content/0/text").asText()).isEqualTo("here");
    }

    @Test
    void anOperatorUsesTheConsoleInChromium() throws Exception {
        Files.createDirectories(SHOTS);
        Path log = SHOTS.resolve("browser-steps.log");
        Process p = new ProcessBuilder(List.of(PEERS.resolve("node_modules/node/bin/node").toString(),
                PEERS.resolve("clients/console-browser.mjs").toString(), baseUrl(), ADMIN_TOKEN, routesDir.toString(),
                SHOTS.toString())).directory(PEERS.toFile()).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("browser run finished").isTrue();
        assertThat(p.exitValue()).as("browser run exit code; its steps:\n%s", Files.readString(log)).isZero();
        JsonNode seen = json(new String(out, StandardCharsets.UTF_8).trim());

        assertThat(seen.get("wrongToken").asText()).contains("not the admin token");
        assertThat(seen.at("/cookie/httpOnly").asBoolean()).isTrue();
        assertThat(seen.at("/cookie/sameSite").asText()).isEqualTo("Strict");
        assertThat(seen.get("cookieReadableByScript").asBoolean()).isFalse();
        assertThat(seen.get("tryIt").asText()).isEqualTo("FROM THE BROWSER");
        assertThat(seen.get("tryItProgress").asText()).isEqualTo("halfway there (1 of 2)");
        assertThat(seen.get("tryItProgressBar").asText()).isEqualTo("1/2");
        assertThat(seen.get("tryItAfterProgress").asText()).isEqualTo("progressed");
        assertThat(seen.get("tryItStopped").asText()).contains("cancelled");
        assertThat(seen.get("catalogueSource").asText()).contains("demo.yaml", "readOnly: true", "Try it");
        assertThat(seen.get("preview").asText()).contains("1 tool selected", "console_echo");
        assertThat(seen.get("snippetUrl").asText()).isEqualTo(baseUrl() + "/mcp/browser");
        assertThat(seen.at("/firstCall/text").asText()).isEqualTo("OVER MCP");
        assertThat(seen.at("/disabledCall/ok").asBoolean()).isFalse();
        assertThat(seen.at("/oldSecretCall/ok").asBoolean()).as("old secret after regenerate").isFalse();
        assertThat(seen.at("/newSecretCall/text").asText()).isEqualTo("NEW");
        assertThat(seen.get("brokenProblem").asText()).matches("(?s)line \\d+: .+");
        assertThat(seen.get("sharedStatus").asInt()).isEqualTo(200);
        assertThat(seen.get("sharedBody").asText()).isEqualTo("uploaded from the console\n");
        assertThat(seen.get("revokedStatus").asInt()).as("a revoked share").isIn(404, 410);
        assertThat(seen.get("upstreamBefore").asText()).isEqualTo("needs-authorization");
        assertThat(seen.get("callbackPage").asText()).contains("Caravan is authorized");
        assertThat(seen.get("upstreamAfter").asText()).isEqualTo("online");
        assertThat(seen.get("stateBadgeBefore").asText()).isEqualTo("needs authorization");
        assertThat(seen.get("tokenBadgeBefore").asInt()).as("a token badge without a token").isZero();
        // the demo authorization server's tokens last an hour and come without a refresh token
        assertThat(seen.get("tokenAfter").asText()).matches("token expires in (59|60) min");
        assertThat(seen.get("afterSignOut").asInt()).isEqualTo(401);
        assertThat(seen.get("tokenInUrl").asBoolean()).as("a secret in a requested URL").isFalse();
        assertThat(seen.get("consoleErrors")).as("browser console errors").isEmpty();
        seen.get("pages").fields().forEachRemaining(e ->
                assertThat(e.getValue().asLong()).as("first load of %s in bytes", e.getKey()).isBetween(1_000L, 200_000L));
        try (var shots = Files.list(SHOTS)) {
            assertThat(shots.map(f -> f.getFileName().toString()).toList()).contains("01-catalogue.png", "01b-try-it-progress.png", "04-endpoints.png",
                    "05-route-files.png", "06-workspaces.png");
        }
    }
}
