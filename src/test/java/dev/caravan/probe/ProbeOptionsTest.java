package dev.caravan.probe;

import dev.caravan.upstream.UpstreamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeOptionsTest {

    static ProbeOptions parse(String... args) throws ProbeOptions.Usage {
        return ProbeOptions.parse(Arrays.asList(args));
    }

    static void rejected(String fragment, String... args) {
        assertThatThrownBy(() -> parse(args)).isInstanceOf(ProbeOptions.Usage.class).hasMessageContaining(fragment);
    }

    @Test
    void refusesBadCommandLinesWithTheReason() {
        rejected("the server URL is missing");
        rejected("must be http:// or https://", "file:///etc/passwd");
        rejected("one server URL expected", "http://a/mcp", "http://b/mcp");
        rejected("unknown option --colour", "--colour", "red", "http://a/mcp");
        rejected("--transport is streamable-http, sse or stdio", "--transport", "websocket", "http://a/mcp");
        rejected("--call needs a value", "http://a/mcp", "--call");
        rejected("--arguments must be a JSON object", "--call", "t", "--arguments", "[1,2]", "http://a/mcp");
        rejected("--arguments is not valid JSON", "--call", "t", "--arguments", "{a:", "http://a/mcp");
        rejected("--header takes NAME=VALUE", "--header", "X-Key", "http://a/mcp");
        rejected("--auth bearer needs --token", "--auth", "bearer", "http://a/mcp");
        rejected("needs --client-id and --client-secret", "--auth", "oauth-client-credentials", "http://a/mcp");
        rejected("--auth is none, bearer", "--auth", "kerberos", "http://a/mcp");
        rejected("--timeout takes", "--timeout", "soon", "http://a/mcp");
        rejected("stdio needs the server's command", "--transport", "stdio");
        rejected("stdio servers take no --auth", "--transport", "stdio", "--token", "t", "--", "node", "s.js");
        rejected("--file needs --upstream", "--file", "upstreams.yaml");
        rejected("--arguments belongs after the --call", "--arguments", "{}", "--call", "a", "http://a/mcp");
        rejected("--elicitation-answer must be a JSON object", "--elicitation-answer", "[1]", "http://a/mcp");
    }

    @Test
    void callsRunInTheirOrderEachWithItsOwnArguments() throws Exception {
        ProbeOptions o = parse("http://a/mcp", "--call", "first", "--arguments", "{\"n\":1}", "--call", "second",
                "--call", "third", "--arguments", "{\"n\":3}", "--elicitation-answer", "{\"confirmed\":true}",
                "--calls-from-env", "PROBE_TEST_UNSET_VARIABLE");
        assertThat(o.calls()).extracting(ProbeOptions.Call::tool).containsExactly("first", "second", "third");
        assertThat(o.calls()).extracting(ProbeOptions.Call::arguments)
                .containsExactly(java.util.Map.of("n", 1), java.util.Map.of(), java.util.Map.of("n", 3));
        assertThat(o.elicitationAnswer()).containsEntry("confirmed", true);
    }

    @Test
    void buildsTheDeclarationTheHubWouldRead() throws Exception {
        ProbeOptions o = parse("https://mcp.example.com/mcp", "--token", "${TOKEN}", "--call", "add",
                "--arguments", "{\"a\":2,\"b\":3}", "--timeout", "1500ms");
        UpstreamConfig u = o.upstream();
        assertThat(u.transport()).isEqualTo(UpstreamConfig.Transport.STREAMABLE_HTTP);
        assertThat(u.url()).isEqualTo("https://mcp.example.com/mcp");
        assertThat(u.auth().type()).isEqualTo(UpstreamConfig.Auth.Type.BEARER);
        assertThat(u.auth().token()).isEqualTo("${TOKEN}"); // resolved by the connector, as in upstreams.yaml
        assertThat(o.calls()).extracting(ProbeOptions.Call::tool).containsExactly("add");
        assertThat(o.calls().get(0).arguments()).containsEntry("a", 2).containsEntry("b", 3);
        assertThat(o.elicitationAnswer()).isNull();
        assertThat(u.connectTimeout()).isEqualTo(Duration.ofMillis(1500));

        ProbeOptions oauth = parse("--auth", "oauth", "--client-id", "c", "--client-secret", "s", "--scope", "a b",
                "--no-resource", "--client-metadata-url", "https://caravan.example.com/client.json",
                "--client-from-env", "PROBE_TEST_UNSET_VARIABLE", "http://127.0.0.1:3000/mcp");
        assertThat(oauth.upstream().auth().type()).isEqualTo(UpstreamConfig.Auth.Type.OAUTH);
        assertThat(oauth.upstream().auth().oauth()).containsEntry("client_id", "c").containsEntry("client_secret", "s")
                .containsEntry("scope", "a b").containsEntry("resource", "false")
                .containsEntry("client_metadata_url", "https://caravan.example.com/client.json");
        assertThat(oauth.maxAuthorizations()).isEqualTo(3);

        ProbeOptions stdio = parse("--transport", "stdio", "--", "node", "server.js", "--port", "1");
        assertThat(stdio.upstream().command()).isEqualTo("node");
        assertThat(stdio.upstream().args()).containsExactly("server.js", "--port", "1");
    }

    @Test
    void probesAnUpstreamDeclaredInUpstreamsYaml(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("upstreams.yaml");
        Files.writeString(file, """
                upstreams:
                  - name: github
                    transport: sse
                    url: https://example.com/sse
                    auth: {type: bearer, token: "${GITHUB_TOKEN}"}
                """);
        UpstreamConfig u = parse("--file", file.toString(), "--upstream", "github").upstream();
        assertThat(u.name()).isEqualTo("github");
        assertThat(u.transport()).isEqualTo(UpstreamConfig.Transport.SSE);
        rejected("declares no upstream named 'gitlab' (it has [github])", "--file", file.toString(), "--upstream",
                "gitlab");
        rejected("cannot read", "--file", dir.resolve("missing.yaml").toString(), "--upstream", "x");
        assertThat(List.of(ProbeOptions.USAGE.split("\n"))).anyMatch(l -> l.contains("--client-metadata-url"));
    }
}
