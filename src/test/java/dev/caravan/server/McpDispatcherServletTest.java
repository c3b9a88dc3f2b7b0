package dev.caravan.server;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher's vetting before a request reaches an SDK server: path, Host/Origin, endpoint, credential, body.
 * Real endpoint service on H2; the servlet is called directly.
 */
class McpDispatcherServletTest {
    private static final int MAX = 1024;
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
            "capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private final ServerFixture server = new ServerFixture();
    private final McpDispatcherServlet servlet = new McpDispatcherServlet(server.runtime, server.endpoints, server.calls,
            new OriginGuard(List.of("localhost", "[::1]"), List.of()), MAX);
    private final String token = server.endpoints.create("docs", List.of("*"));

    @AfterEach
    void close() {
        server.close();
    }

    private static MockHttpServletRequest post(String path, String body) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", path);
        r.setServerName("localhost");
        r.removeHeader("Host");
        r.addHeader("Host", "localhost:8080");
        r.setContentType("application/json");
        r.addHeader("Accept", "application/json, text/event-stream");
        r.setContent(body.getBytes(StandardCharsets.UTF_8));
        r.setAsyncSupported(true);
        return r;
    }

    private MockHttpServletRequest authorized(String path, String body) {
        MockHttpServletRequest r = post(path, body);
        r.addHeader("Authorization", "Bearer " + token);
        return r;
    }

    private MockHttpServletResponse serve(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        servlet.service(request, response);
        awaitAnswer(request);
        return response;
    }

    /** A POST is answered on the dispatcher's hand-off pool: waits (bounded) until its exchange completes. */
    static void awaitAnswer(MockHttpServletRequest request) throws InterruptedException {
        if (!request.isAsyncStarted()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        request.getAsyncContext().addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                done.countDown();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
            }

            @Override
            public void onError(AsyncEvent event) {
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        if (request.isAsyncStarted()) {
            assertThat(done.await(10, TimeUnit.SECONDS)).as("answered within 10 s").isTrue();
        }
    }

    @Test
    void pathsThatNameNoEndpointAre404() throws Exception {
        for (String path : List.of("/mcp/", "/mcp", "/mcp/docs/extra", "/sse/docs/other", "/elsewhere/docs")) {
            MockHttpServletResponse r = serve(authorized(path, INITIALIZE));
            assertThat(r.getStatus()).as(path).isEqualTo(404);
            assertThat(r.getContentAsString()).contains("\"jsonrpc\":\"2.0\"");
        }
    }

    @Test
    void unknownAndDisabledEndpointsAre404() throws Exception {
        assertThat(serve(authorized("/mcp/nosuch", INITIALIZE)).getStatus()).isEqualTo(404);
        server.endpoints.update("docs", false, null);
        MockHttpServletResponse r = serve(authorized("/mcp/docs", INITIALIZE));
        assertThat(r.getStatus()).isEqualTo(404);
        assertThat(r.getContentAsString()).contains("docs");
        assertThat(serve(authorized("/sse/docs", INITIALIZE)).getStatus()).isEqualTo(404);
    }

    @Test
    void aForeignHostOrOriginIs403BeforeAnythingElse() throws Exception {
        MockHttpServletRequest host = authorized("/mcp/docs", INITIALIZE);
        host.removeHeader("Host");
        host.addHeader("Host", "rebound.example:8080");
        assertThat(serve(host).getStatus()).isEqualTo(403);

        MockHttpServletRequest origin = authorized("/mcp/docs", INITIALIZE);
        origin.addHeader("Origin", "https://rebound.example");
        assertThat(serve(origin).getStatus()).isEqualTo(403);

        // Checked before the endpoint is looked up: a foreign page cannot learn which endpoints exist.
        MockHttpServletRequest probe = post("/mcp/nosuch", INITIALIZE);
        probe.addHeader("Origin", "https://rebound.example");
        assertThat(serve(probe).getStatus()).isEqualTo(403);
    }

    @Test
    void aMissingOrWrongCredentialIs401WithAChallenge() throws Exception {
        MockHttpServletResponse missing = serve(post("/mcp/docs", INITIALIZE));
        assertThat(missing.getStatus()).isEqualTo(401);
        assertThat(missing.getHeader("WWW-Authenticate")).isNotBlank();

        MockHttpServletRequest wrong = post("/mcp/docs", INITIALIZE);
        wrong.addHeader("Authorization", "Bearer cvn_not-the-token");
        MockHttpServletResponse refused = serve(wrong);
        assertThat(refused.getStatus()).isEqualTo(401);
        assertThat(refused.getHeader("WWW-Authenticate")).isNotBlank();
        assertThat(refused.getContentAsString()).doesNotContain("cvn_not-the-token");

        MockHttpServletRequest wrongKey = post("/mcp/docs", INITIALIZE);
        wrongKey.setParameter("key", "cvn_not-the-token");
        assertThat(serve(wrongKey).getStatus()).isEqualTo(401);

        // Another endpoint's token does not open this one.
        String other = server.endpoints.create("other", List.of("*"));
        MockHttpServletRequest foreign = post("/mcp/docs", INITIALIZE);
        foreign.addHeader("Authorization", "Bearer " + other);
        assertThat(serve(foreign).getStatus()).isEqualTo(401);

        // A legacy SSE message POST without a credential is bound to its session, which must exist.
        MockHttpServletRequest unbound = post("/sse/docs/message", INITIALIZE);
        unbound.setParameter("sessionId", "no-such-session");
        assertThat(serve(unbound).getStatus()).isEqualTo(404);
    }

    @Test
    void theCredentialMayComeAsBearerHeaderInAnyCaseOrAsKeyParameter() throws Exception {
        // Past the credential check, the wrong content type is what is refused: proof the credential was accepted.
        MockHttpServletRequest header = post("/mcp/docs", "{}");
        header.setContentType("text/plain");
        header.addHeader("Authorization", "bearer " + token);
        assertThat(serve(header).getStatus()).isEqualTo(415);

        MockHttpServletRequest key = post("/mcp/docs", "{}");
        key.setContentType("text/plain");
        key.setParameter("key", token);
        assertThat(serve(key).getStatus()).isEqualTo(415);

        MockHttpServletRequest none = post("/mcp/docs", "{}");
        none.setContentType("text/plain");
        assertThat(serve(none).getStatus()).isEqualTo(401);
    }

    @Test
    void aBodyOverTheLimitIs413WhetherOrNotItsLengthIsDeclared() throws Exception {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(MAX) + "\"}}";
        MockHttpServletResponse declared = serve(authorized("/mcp/docs", big));
        assertThat(declared.getStatus()).isEqualTo(413);
        assertThat(declared.getContentAsString()).contains("caravan.mcp.max-request-bytes");

        // Chunked: no Content-Length, so the limit applies while reading.
        MockHttpServletRequest chunked = new MockHttpServletRequest("POST", "/mcp/docs") {
            @Override
            public long getContentLengthLong() {
                return -1;
            }

            @Override
            public int getContentLength() {
                return -1;
            }
        };
        chunked.removeHeader("Host");
        chunked.addHeader("Host", "localhost");
        chunked.setContentType("application/json");
        chunked.addHeader("Authorization", "Bearer " + token);
        chunked.setContent(big.getBytes(StandardCharsets.UTF_8));
        assertThat(serve(chunked).getStatus()).isEqualTo(413);
    }

    @Test
    void bodiesThatAreNotOneJsonRpcMessageAre400Or415() throws Exception {
        MockHttpServletRequest type = authorized("/mcp/docs", INITIALIZE);
        type.setContentType("text/plain");
        assertThat(serve(type).getStatus()).isEqualTo(415);
        MockHttpServletRequest noType = authorized("/mcp/docs", INITIALIZE);
        noType.setContentType(null);
        noType.removeHeader("Content-Type");
        assertThat(serve(noType).getStatus()).isEqualTo(415);
        for (String body : List.of("not json", "[]", "\"text\"", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1}", "")) {
            MockHttpServletResponse r = serve(authorized("/mcp/docs", body));
            assertThat(r.getStatus()).as(body).isEqualTo(400);
            assertThat(r.getContentAsString()).as(body).contains("\"error\"");
        }
    }

    @Test
    void errorAnswersAreJsonThatCachesCannotKeepOrSniff() throws Exception {
        MockHttpServletResponse r = serve(post("/mcp/docs", INITIALIZE));
        assertThat(r.getContentType()).startsWith("application/json");
        assertThat(r.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void aVettedRequestReachesTheEndpointsServer() throws Exception {
        MockHttpServletResponse r = serve(authorized("/mcp/docs", INITIALIZE));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getContentAsString()).contains("serverInfo");
        assertThat(r.getHeader("Mcp-Session-Id")).isNotBlank();

        // A method the transport does not serve is refused by it, after vetting.
        MockHttpServletRequest put = authorized("/mcp/docs", INITIALIZE);
        put.setMethod("PUT");
        assertThat(serve(put).getStatus()).isEqualTo(405);
    }

    @Test
    void aDeletedOrExpiredCredentialIsRefusedAtOnce() throws Exception {
        String reader = server.endpoints.createCredential("docs", "reader", dev.caravan.core.WorkspaceScopes.ALL, null);
        MockHttpServletRequest ok = post("/mcp/docs", "{}");
        ok.setContentType("text/plain");
        ok.addHeader("Authorization", "Bearer " + reader);
        assertThat(serve(ok).getStatus()).isEqualTo(415);

        server.endpoints.deleteCredential("docs", "reader");
        MockHttpServletRequest gone = post("/mcp/docs", INITIALIZE);
        gone.addHeader("Authorization", "Bearer " + reader);
        MockHttpServletResponse refused = serve(gone);
        assertThat(refused.getStatus()).isEqualTo(401);
        assertThat(refused.getHeader("WWW-Authenticate")).isNotBlank();

        String old = token;
        server.endpoints.regenerate("docs", 0);
        MockHttpServletRequest replaced = post("/mcp/docs", INITIALIZE);
        replaced.addHeader("Authorization", "Bearer " + old);
        assertThat(serve(replaced).getStatus()).isEqualTo(401);
    }
}
