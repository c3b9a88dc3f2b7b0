package dev.caravan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One MCP session over Streamable HTTP with nothing but java.net.http: the initialize handshake (session id,
 * negotiated protocol version), notifications/initialized, then tools/call requests carrying the session id and
 * protocol version headers, as the specification asks of a client. Answers are checked, not parsed in full: the
 * load generator should spend its CPU on sending, not on JSON.
 */
final class RawMcp implements Load.Call {
    static final String REQUESTED_VERSION = "2025-06-18";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /**
     * The tool each call invokes: its name, the one string argument it echoes, what precedes the echo in the answer
     * text, and whether the answer must say {@code "isError":false} (Caravan does; server-everything leaves it out).
     */
    record Tool(String name, String argument, String answerPrefix, boolean explicitIsError) {
    }

    static final Tool BENCH_ECHO = new Tool("bench_echo", "text", "", true);

    private final HttpClient http;
    private final URI uri;
    private final String token;
    private final String prefix;
    private final Tool tool;
    final String sessionId;
    final String protocolVersion;

    private RawMcp(HttpClient http, URI uri, String token, String prefix, Tool tool, String sessionId,
                   String protocolVersion) {
        this.http = http;
        this.tool = tool;
        this.uri = uri;
        this.token = token;
        this.prefix = prefix;
        this.sessionId = sessionId;
        this.protocolVersion = protocolVersion;
    }

    /** Opens a session for calls of bench_echo: initialize, then notifications/initialized. */
    static RawMcp open(HttpClient http, URI uri, String token, String prefix) throws IOException, InterruptedException {
        return open(http, uri, token, prefix, BENCH_ECHO);
    }

    /** Opens a session for calls of the given tool; token null sends no Authorization header. */
    static RawMcp open(HttpClient http, URI uri, String token, String prefix, Tool tool)
            throws IOException, InterruptedException {
        return open(http, uri, token, prefix, tool, REQUESTED_VERSION);
    }

    /** The same, asking for the given protocol version. */
    static RawMcp open(HttpClient http, URI uri, String token, String prefix, Tool tool, String requestedVersion)
            throws IOException, InterruptedException {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + requestedVersion + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"caravan-bench\",\"version\":\"1\"}}}";
        HttpResponse<String> r = http.send(post(uri, token, null, null, init), HttpResponse.BodyHandlers.ofString());
        String session = r.headers().firstValue("Mcp-Session-Id").orElse(null);
        if (r.statusCode() != 200 || session == null) {
            throw new IOException("initialize answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode result = JSON.readTree(sseData(r.body())).path("result");
        String version = result.path("protocolVersion").asText(null);
        if (version == null) {
            throw new IOException("initialize gave no protocolVersion: " + r.body());
        }
        HttpResponse<String> n = http.send(post(uri, token, session, version,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.ofString());
        if (n.statusCode() != 202) {
            throw new IOException("notifications/initialized answered " + n.statusCode() + ": " + n.body());
        }
        return new RawMcp(http, uri, token, prefix, tool, session, version);
    }

    /** One tools/call of the tool; fails unless the answer echoes this call's text. */
    @Override
    public void call(long seq) throws IOException, InterruptedException {
        String text = prefix + "-" + seq;
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + seq + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool.name() + "\",\"arguments\":{\"" + tool.argument() + "\":\"" + text + "\"}}}";
        HttpResponse<String> r = http.send(post(uri, token, sessionId, protocolVersion, body),
                HttpResponse.BodyHandlers.ofString());
        String answer = r.body();
        if (r.statusCode() != 200 || !answer.contains("\"id\":" + seq + ",") && !answer.contains("\"id\":" + seq + "}")
                || !answer.contains("\"text\":\"" + tool.answerPrefix() + text + "\"")
                || (tool.explicitIsError() ? !answer.contains("\"isError\":false") : answer.contains("\"isError\":true"))) {
            throw new IOException("tools/call answered " + r.statusCode() + ": " + abbreviate(answer));
        }
    }

    /** Ends the session on the server (DELETE), as a well-behaved client does. */
    void close() {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            http.send(b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", protocolVersion)
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // the server may be gone already; nothing to clean up then
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JSON of a response that came as a one-event text/event-stream (as the TypeScript SDK answers). */
    private static String sseData(String body) {
        if (body.stripLeading().startsWith("{")) {
            return body;
        }
        for (String line : body.split("\r?\n")) {
            // From 2025-11-25 a server may open the stream with a priming event whose data is empty.
            if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                return line.substring(5).trim();
            }
        }
        return body;
    }

    static HttpRequest post(URI uri, String token, String session, String version, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", version);
        }
        return b.POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
