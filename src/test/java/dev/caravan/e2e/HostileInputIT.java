package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Malformed JSON-RPC and protocol headers get a JSON-RPC error or a 4xx: never a 500, never an internal name. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class HostileInputIT extends CaravanIntegrationTest {
    private Published crm;
    private String session;

    @BeforeAll
    void publishEndpointAndOpenSession() {
        writeCrmLookupRoute();
        crm = publish("crm", "crm");
        session = rawSession(crm);
    }

    private HttpResponse<String> post(String body) {
        return send(mcpPost(crm, session, body).build());
    }

    /** A clean refusal: 4xx or a JSON-RPC error object, no stack or class name in it. */
    private static JsonNode refused(HttpResponse<String> r, int status, int code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.body()).doesNotContain("McpSchema").doesNotContain("Exception").doesNotContain("asyncComplete")
                .doesNotContain("io.modelcontextprotocol").doesNotContain("java.");
        JsonNode body = json(r.body());
        assertThat(body.at("/error/code").asInt()).as(r.body()).isEqualTo(code);
        return body;
    }

    @Test
    void toolsCallWithoutParamsOrWithNonObjectArgumentsIsInvalidParams() {
        JsonNode noParams = refused(post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\"}"), 200, -32602);
        assertThat(noParams.get("id").asInt()).isEqualTo(7);
        assertThat(noParams.at("/error/message").asText()).contains("params");
        JsonNode stringArgs = refused(post("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"crm_lookup_customer\",\"arguments\":\"id=1\"}}"), 200, -32602);
        assertThat(stringArgs.at("/error/message").asText()).contains("arguments");
        refused(post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"crm_lookup_customer\",\"arguments\":[1,2]}}"), 200, -32602);
        refused(post("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":[\"crm_lookup_customer\"]}"), 200, -32602);
        // The session still works afterwards.
        HttpResponse<String> ok = post("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"crm_lookup_customer\",\"arguments\":{}}}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("found");
    }

    @Test
    void aResponseWithAnUnknownIdIsAClientError() {
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":\"never-sent\",\"result\":{}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).doesNotContain("Exception");
    }

    @Test
    void duplicateKeysAndTrailingTextAreParseErrors() {
        JsonNode dup = refused(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/list\"}"), 400, -32700);
        assertThat(dup.at("/error/message").asText()).contains("method").contains("more than once");
        JsonNode trailing = refused(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {\"x\":1}"), 400, -32700);
        assertThat(trailing.at("/error/message").asText()).contains("after the JSON");
        refused(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}garbage"), 400, -32700);
    }

    @Test
    void anIdThatIsAnObjectOrAnArrayIsAnInvalidRequest() {
        JsonNode r = refused(post("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}"), 400, -32600);
        assertThat(r.at("/error/message").asText()).contains("id");
        refused(post("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}"), 400, -32600);
        refused(post("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}"), 400, -32600);
        refused(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"x\"}"), 400, -32600);
    }

    @Test
    void anUnsupportedProtocolVersionHeaderIs400() {
        HttpResponse<String> r = send(mcpPost(crm, session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .header("MCP-Protocol-Version", "1999-01-01").build());
        JsonNode body = refused(r, 400, -32600);
        assertThat(body.at("/error/message").asText()).contains("1999-01-01").contains("2025-11-25");
        HttpResponse<String> ok = send(mcpPost(crm, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}")
                .header("MCP-Protocol-Version", "2025-06-18").build());
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void aSecretInARequestTargetTomcatRefusesNeverReachesTheLog(CapturedOutput output) throws Exception {
        String secret = crm.token();
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mcp/files?key=" + secret + "&x={bad} HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).startsWith("HTTP/1.1 400");
        }
        Thread.sleep(300);
        assertThat(output.getAll()).doesNotContain(secret);
    }

    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyPathChecksTheHostAgainstTheAllowedHosts() throws Exception {
        for (String path : new String[]{"/admin/api/endpoints", "/s/whatever", "/", "/api/files/default/"}) {
            String evil = raw("GET " + path + " HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer " + ADMIN_TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(evil).as(path).startsWith("HTTP/1.1 403").contains("application/problem+json")
                    .contains("evil.example").contains("caravan.security.allowed-hosts");
        }
        String local = raw("GET /admin/api/endpoints HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer "
                + ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");
        assertThat(local).startsWith("HTTP/1.1 200");
        // MCP keeps its JSON-RPC shaped answer.
        String mcp = raw("GET /mcp/crm HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(mcp).startsWith("HTTP/1.1 403").contains("\"jsonrpc\"");
    }

    @Test
    void aNullOriginIsRefusedOnMcp() {
        HttpResponse<String> r = send(mcpPost(crm, session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .header("Origin", "null").build());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r.body()).at("/error/message").asText()).contains("'null'").contains("allowed-origins");
    }
}
