package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The official TypeScript SDK client (test-peers, Node 22) against a published endpoint, on both transports. */
class TypeScriptSdkClientIT extends CaravanIntegrationTest {
    private static final Path PEERS = Path.of("test-peers").toAbsolutePath();

    private static Published endpoint;

    private Published endpoint() {
        if (endpoint == null) {
            writeRoute("ts.yaml", """
                    - route:
                        from:
                          uri: ai-tool:ts_echo
                          parameters:
                            tags: ts
                            description: Echoes its text upper-cased.
                            parameter.text: string
                            parameter.text.required: true
                          steps:
                            - setBody:
                                simple: "${header.text.toUpperCase()}"
                    """);
            endpoint = publish("ts", "ts");
            await(Duration.ofSeconds(15), "ts_echo", () -> admin("GET", "/admin/api/endpoints/ts", null).body().contains("ts_echo"));
        }
        return endpoint;
    }

    private JsonNode run(String transport, String url, String token, String tool, String args) throws Exception {
        Process p = new ProcessBuilder(List.of(PEERS.resolve("node_modules/node/bin/node").toString(),
                PEERS.resolve("clients/sdk-client.mjs").toString(), transport, url, token, tool, args))
                .directory(PEERS.toFile()).redirectErrorStream(false).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("TypeScript client did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; stderr: %s", err).isZero();
        return json(out.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void listsAndCallsTools(String transport) throws Exception {
        Published ep = endpoint();
        String url = transport.equals("sse") ? ep.sseUrl() : ep.url();
        JsonNode r = run(transport, url, ep.token(), "ts_echo", "{\"text\":\"hello\"}");
        assertThat(r.get("tools").toString()).isEqualTo("[\"ts_echo\"]");
        assertThat(r.at("/result/content/0/text").asText()).isEqualTo("HELLO");
        assertThat(r.at("/result/isError").asBoolean()).isFalse();
        assertThat(r.at("/server/name").asText()).isEqualTo("caravan/ts");
        if (transport.equals("streamable")) {
            assertThat(r.get("protocolVersion").asText()).isEqualTo("2025-11-25");
        }
    }

    @Test
    void aWrongTokenFailsTheClient() throws IOException, InterruptedException {
        Published ep = endpoint();
        Process p = new ProcessBuilder(List.of(PEERS.resolve("node_modules/node/bin/node").toString(),
                PEERS.resolve("clients/sdk-client.mjs").toString(), "streamable", ep.url(), "cvn_wrong", "ts_echo", "{}"))
                .directory(PEERS.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("credential is not valid for this endpoint");
    }
}
