package dev.caravan.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A 2026-07-28 client with nothing but java.net.http: no handshake, no session; every tools/call carries the
 * protocol version, client info and capabilities in {@code _meta} and the {@code MCP-Protocol-Version},
 * {@code Mcp-Method} and {@code Mcp-Name} headers. Answers are checked, not parsed in full, as in {@link RawMcp}.
 */
final class RawModern implements Load.Call {
    static final String VERSION = "2026-07-28";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http;
    private final URI uri;
    private final String token;
    private final String prefix;

    RawModern(HttpClient http, URI uri, String token, String prefix) {
        this.http = http;
        this.uri = uri;
        this.token = token;
        this.prefix = prefix;
    }

    @Override
    public void call(long seq) throws IOException, InterruptedException {
        String text = prefix + "-" + seq;
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + seq + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"bench_echo\",\"arguments\":{\"text\":\"" + text + "\"},\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"" + VERSION + "\","
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"caravan-bench\",\"version\":\"1\"},"
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", VERSION)
                .header("Mcp-Method", "tools/call").header("Mcp-Name", "bench_echo")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        String answer = r.body();
        if (r.statusCode() != 200 || !answer.contains("\"text\":\"" + text + "\"") || answer.contains("\"isError\":true")) {
            throw new IOException("tools/call answered " + r.statusCode() + ": " + RawMcp.abbreviate(answer));
        }
    }
}
