package dev.caravan.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;

/**
 * One agent's small-file round trip on one MCP session: tools/call write_file of a new 4 KiB text file in the
 * default (local) workspace, then tools/call read_text_file of it; the answer must carry the content's marker.
 * One call of this Load.Call is both tool calls.
 */
final class SmallFiles implements Load.Call {
    static final int SIZE = 4096;

    private final RawMcp session;
    private final HttpClient http;
    private final URI uri;
    private final String token;
    private final String prefix;

    SmallFiles(RawMcp session, HttpClient http, URI uri, String token, String prefix) {
        this.session = session;
        this.http = http;
        this.uri = uri;
        this.token = token;
        this.prefix = prefix;
    }

    @Override
    public void call(long seq) throws IOException, InterruptedException {
        String marker = prefix + "-" + seq;
        String path = "bench/" + prefix + "/" + seq + ".txt";
        String content = marker + " " + "x".repeat(SIZE - marker.length() - 1);
        send(2 * seq, "write_file", "{\"path\":\"" + path + "\",\"content\":\"" + content + "\"}", "Wrote");
        send(2 * seq + 1, "read_text_file", "{\"path\":\"" + path + "\"}", marker + " x");
    }

    private void send(long id, String tool, String arguments, String expected) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
        HttpResponse<String> r = http.send(RawMcp.post(uri, token, session.sessionId, session.protocolVersion, body),
                HttpResponse.BodyHandlers.ofString());
        String answer = r.body();
        if (r.statusCode() != 200 || !answer.contains("\"isError\":false") || !answer.contains(expected)) {
            throw new IOException(tool + " answered " + r.statusCode() + ": " + RawMcp.abbreviate(answer));
        }
    }
}
