package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TypeScript SDK v2 client ({@code @modelcontextprotocol/client} 2.4.0 in test-peers, Node 22) against one
 * endpoint URL in both protocol eras: pinned to 2026-07-28 (stateless, asks as input_required rounds) and its
 * default 2025 handshake (a session, asks over the response stream). In each: a tool call, an elicitation round
 * and a roots request the client answers, and a call the client aborts, whose route must not reach its last step.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypeScriptSdkV2ClientIT extends CaravanIntegrationTest {
    private static final Path PEERS = Path.of("test-peers").toAbsolutePath();
    private Path markers;
    private Published endpoint;

    @DynamicPropertySource
    static void quickKeepAlive(DynamicPropertyRegistry registry) {
        // 2026-07-28: a client that went away is noticed at the next ping of its response stream.
        registry.add("caravan.mcp.keep-alive", () -> "300ms");
    }

    @BeforeAll
    void routes() {
        markers = dataDir.resolve("ts2-markers");
        writeRouteAndAwait("ts2.yaml", """
                - route:
                    id: ts2-echo
                    from:
                      uri: ai-tool:ts2_echo
                      parameters:
                        tags: ts2
                        description: Echoes its text upper-cased.
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: "${header.text.toUpperCase()}"
                - route:
                    id: ts2-ask
                    from:
                      uri: ai-tool:ts2_ask
                      parameters:
                        tags: ts2
                        description: Asks the user's name, then greets them.
                      steps:
                        - setBody:
                            constant: What is your name?
                        - to:
                            uri: ai-client:elicitation
                            parameters:
                              inputKey: name
                              requestedSchema: '{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}'
                        - setBody:
                            simple: "Hello, ${body[name]}!"
                - route:
                    id: ts2-roots
                    from:
                      uri: ai-tool:ts2_roots
                      parameters:
                        tags: ts2
                        description: Names the client's roots.
                      steps:
                        - to: ai-client:roots
                        - setBody:
                            simple: "roots: ${body}"
                - route:
                    id: ts2-slow
                    from:
                      uri: ai-tool:ts2_slow
                      parameters:
                        tags: ts2
                        description: Waits, then leaves a marker file.
                        parameter.tag: string
                      steps:
                        - delay:
                            constant: 2500
                        - setBody:
                            constant: done
                        - toD: "file:MARKERS?fileName=${header.tag}.done"
                """.replace("MARKERS", markers.toString()));
        endpoint = publish("ts2", "ts2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"modern, 2026-07-28", "legacy, 2025-11-25"})
    void callsAsksAndCancelsInBothEras(String era, String version) throws Exception {
        JsonNode r = run(era);
        assertThat(r.get("protocolVersion").asText()).isEqualTo(version);
        assertThat(r.get("era").asText()).isEqualTo(era);
        assertThat(r.at("/server/name").asText()).isEqualTo("caravan/ts2");
        assertThat(r.get("tools").toString()).isEqualTo("[\"ts2_ask\",\"ts2_echo\",\"ts2_roots\",\"ts2_slow\"]");
        assertThat(r.at("/echo/content/0/text").asText()).isEqualTo("HELLO");
        assertThat(r.at("/echo/isError").asBoolean()).isFalse();
        // The route asked once and resumed with the client's answer (2026-07-28: on the retry of the call).
        assertThat(r.get("asked").toString()).isEqualTo("[\"What is your name?\"]");
        assertThat(r.at("/ask/content/0/text").asText()).isEqualTo("Hello, Ada!");
        assertThat(r.at("/roots/content/0/text").asText()).isEqualTo("roots: [{uri=file:///work/site, name=site}]");
        assertThat(r.at("/cancelled/rejected").asText()).contains("caller gave up");
        assertThat(r.at("/control/content/0/text").asText()).isEqualTo("done");
        // The control call started after the aborted one and waited as long: the aborted one's last step would
        // have run by now, had the abort not stopped it.
        assertThat(markers.resolve(era + "-control.done")).exists();
        Thread.sleep(500);
        assertThat(markers.resolve(era + ".done")).doesNotExist();
    }

    private JsonNode run(String era) throws Exception {
        Process p = new ProcessBuilder(List.of(PEERS.resolve("node_modules/node/bin/node").toString(),
                PEERS.resolve("clients/sdk2-client.mjs").toString(), era, endpoint.url(), endpoint.token(),
                "ts2_echo", "ts2_ask", "ts2_slow", "ts2_roots")).directory(PEERS.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("TypeScript SDK v2 client did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; stderr: %s", err).isZero();
        return json(out.trim());
    }
}
