package dev.caravan.probe;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe in-process against the real server-everything over stdio (HTTP and OAuth: ProbeConformanceIT). */
class ProbeTest {
    static final Path PEERS = Path.of("test-peers/node_modules").toAbsolutePath();

    static int run(ByteArrayOutputStream out, String... args) throws Exception {
        return new Probe(ProbeOptions.parse(List.of(args)), new PrintStream(out, true, StandardCharsets.UTF_8)).run();
    }

    @Test
    void anUnknownToolOrAFailedCallIsExitCodeOne() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String node = PEERS.resolve("node/bin/node").toString();
        String server = PEERS.resolve("@modelcontextprotocol/server-everything/dist/index.js").toString();
        assertThat(run(out, "--transport", "stdio", "--timeout", "60s", "--call", "no_such_tool", "--", node, server,
                "stdio")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("connected:").contains("tools: ");

        out.reset();
        assertThat(run(out, "--transport", "stdio", "--timeout", "60s", "--call", "echo", "--arguments",
                "{\"message\":\"hello probe\"}", "--", node, server, "stdio")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("called echo: ok").contains("Echo: hello probe");
    }

    @Test
    void nothingListeningIsExitCodeOne() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(out, "http://127.0.0.1:9/mcp", "--timeout", "2s")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("connected:");
    }
}
