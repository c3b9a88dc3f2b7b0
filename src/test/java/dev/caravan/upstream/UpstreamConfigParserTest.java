package dev.caravan.upstream;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamConfigParserTest {

    @Test
    void readsEveryOption() {
        List<UpstreamConfig> configs = UpstreamConfigParser.parse("""
                upstreams:
                  - name: github
                    transport: streamable-http
                    url: https://example.com/mcp
                    prefix: gh
                    include: ["search_*"]
                    exclude: ["*_admin"]
                    tags: [dev]
                    timeouts: {connect: 5s, call: 2m}
                    auth: {type: bearer, token: "${GITHUB_TOKEN}"}
                  - name: local
                    transport: stdio
                    command: /usr/bin/node
                    args: [server.js, stdio]
                    env: {LOG_LEVEL: warn}
                    enabled: false
                  - name: legacy
                    transport: sse
                    url: http://127.0.0.1:9/sse
                    prefix: ""
                    auth: {type: headers, headers: {X-Api-Key: "${KEY}"}}
                """, "upstreams.yaml");
        assertThat(configs).hasSize(3);
        UpstreamConfig gh = configs.get(0);
        assertThat(gh.transport()).isEqualTo(UpstreamConfig.Transport.STREAMABLE_HTTP);
        assertThat(gh.prefix()).isEqualTo("gh");
        assertThat(gh.include()).containsExactly("search_*");
        assertThat(gh.exclude()).containsExactly("*_admin");
        assertThat(gh.tags()).containsExactly("dev");
        assertThat(gh.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(gh.callTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(gh.auth().type()).isEqualTo(UpstreamConfig.Auth.Type.BEARER);
        assertThat(gh.auth().token()).isEqualTo("${GITHUB_TOKEN}");
        UpstreamConfig local = configs.get(1);
        assertThat(local.prefix()).isEqualTo("local");
        assertThat(local.tags()).containsExactly("local");
        assertThat(local.args()).containsExactly("server.js", "stdio");
        assertThat(local.env()).containsEntry("LOG_LEVEL", "warn");
        assertThat(local.enabled()).isFalse();
        assertThat(local.callTimeout()).isEqualTo(UpstreamConfigParser.DEFAULT_CALL);
        assertThat(configs.get(2).prefix()).isEmpty();
        assertThat(configs.get(2).auth().headers()).containsEntry("X-Api-Key", "${KEY}");
        assertThat(configs.get(2).target()).isEqualTo("http://127.0.0.1:9/sse");
    }

    @Test
    void theShippedExampleConnectsNothingAndItsCommentedExampleIsValid() throws Exception {
        String shipped = java.nio.file.Files.readString(java.nio.file.Path.of("connectors/upstreams.yaml"));
        assertThat(UpstreamConfigParser.parse(shipped, "connectors/upstreams.yaml")).isEmpty();
        String example = shipped.substring(shipped.indexOf("# upstreams:")).lines()
                .map(l -> l.startsWith("# ") ? l.substring(2) : l.startsWith("#") ? l.substring(1) : l)
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(UpstreamConfigParser.parse(example, "example")).extracting(UpstreamConfig::name)
                .containsExactly("everything", "github", "legacy");
    }

    @Test
    void emptyFileMeansNoUpstreams() {
        assertThat(UpstreamConfigParser.parse("", "u.yaml")).isEmpty();
        assertThat(UpstreamConfigParser.parse("upstreams: []", "u.yaml")).isEmpty();
    }

    @Test
    void namesTheFileAndTheReason() {
        assertRejected("upstreams:\n  - name: a\n    url: http://x/mcp\n", "upstreams[0] (a)", "transport is required");
        assertRejected("upstreams:\n  - name: a\n    transport: http\n    url: http://x/mcp\n", "got 'http'");
        assertRejected("upstreams:\n  - name: a\n    transport: stdio\n", "stdio needs a command");
        assertRejected("upstreams:\n  - name: a\n    transport: sse\n    url: ftp://x/\n", "http:// or https://");
        assertRejected("upstreams:\n  - name: a\n    transport: sse\n    url: http://x/\n    colour: red\n",
                "unknown key 'colour'");
        assertRejected("upstreams:\n  - {name: a, transport: sse, url: 'http://x/'}\n  - {name: a, transport: sse, url: 'http://y/'}\n",
                "used twice");
        assertRejected("upstreams:\n  - {name: a, transport: stdio, command: x, auth: {type: bearer, token: t}}\n",
                "through env");
        assertRejected("upstreams:\n  - {name: a, transport: sse, url: 'http://x/', timeouts: {call: soon}}\n",
                "not a duration");
        assertRejected("upstreams:\n  - {name: 'a b', transport: sse, url: 'http://x/'}\n", "name is required");
        assertRejected("servers: []\n", "top-level key 'upstreams'");
        assertRejected("upstreams:\n  - {name: a, transport: sse, url: 'http://x/', auth: {type: oauth, "
                + "client_metadata_url: 'http://caravan.example.com/client.json'}}\n", "must be an https:// URL");
        assertThat(UpstreamConfigParser.parse("upstreams:\n  - {name: a, transport: sse, url: 'http://x/', auth: "
                + "{type: oauth, client_metadata_url: 'https://caravan.example.com/client.json'}}\n", "u.yaml").get(0)
                .auth().oauth()).containsEntry("client_metadata_url", "https://caravan.example.com/client.json");
    }

    @Test
    void protocolIsAutoByDefaultAndReadsBothEras() {
        String base = "upstreams:\n  - name: a\n    transport: streamable-http\n    url: http://localhost:1/mcp\n";
        assertThat(UpstreamConfigParser.parse(base, "u.yaml").get(0).protocol()).isEqualTo(UpstreamConfig.Protocol.AUTO);
        // YAML reads a bare 2026-07-28 as a date and a bare 2025 as a number: both mean what they say.
        assertThat(UpstreamConfigParser.parse(base + "    protocol: 2026-07-28\n", "u.yaml").get(0).protocol())
                .isEqualTo(UpstreamConfig.Protocol.MODERN);
        assertThat(UpstreamConfigParser.parse(base + "    protocol: \"2026-07-28\"\n", "u.yaml").get(0).protocol())
                .isEqualTo(UpstreamConfig.Protocol.MODERN);
        assertThat(UpstreamConfigParser.parse(base + "    protocol: 2025\n", "u.yaml").get(0).protocol())
                .isEqualTo(UpstreamConfig.Protocol.LEGACY);
        assertThat(UpstreamConfigParser.parse(base + "    protocol: auto\n", "u.yaml").get(0).protocol())
                .isEqualTo(UpstreamConfig.Protocol.AUTO);
        for (String bad : new String[]{"2025-11-25", "modern", "2026-07-29", "[a]"}) {
            assertRejected(base + "    protocol: " + bad + "\n", "protocol must be auto, 2026-07-28 or 2025");
        }
        assertRejected("upstreams:\n  - {name: a, transport: stdio, command: x, protocol: \"2026-07-28\"}\n",
                "needs transport streamable-http");
        assertThat(UpstreamConfigParser.parse("upstreams:\n  - {name: a, transport: sse, url: 'http://x/', "
                + "protocol: 2025}\n", "u.yaml").get(0).protocol()).isEqualTo(UpstreamConfig.Protocol.LEGACY);
    }

    @Test
    void maxConcurrentCallsIsAPositiveWholeNumberAndDefaultsToTheGlobalSetting() {
        String base = "upstreams:\n  - name: a\n    transport: streamable-http\n    url: http://localhost:1/mcp\n";
        assertThat(UpstreamConfigParser.parse(base, "u.yaml").get(0).maxConcurrentCalls()).isZero();
        assertThat(UpstreamConfigParser.parse(base + "    max-concurrent-calls: 8\n", "u.yaml").get(0)
                .maxConcurrentCalls()).isEqualTo(8);
        for (String bad : new String[]{"0", "-1", "many", "1.5", "100001"}) {
            assertRejected(base + "    max-concurrent-calls: " + bad + "\n", "max-concurrent-calls must be a whole number");
        }
    }

    @Test
    void yamlSyntaxErrorsCarryTheLine() {
        assertThatThrownBy(() -> UpstreamConfigParser.parse("upstreams:\n  - name: a\n   transport: [\n", "u.yaml"))
                .isInstanceOfSatisfying(UpstreamConfigException.class, e -> {
                    assertThat(e.line()).isNotNull();
                    assertThat(e.getMessage()).startsWith("u.yaml line ").contains("not valid YAML");
                });
    }

    private static void assertRejected(String yaml, String... fragments) {
        assertThatThrownBy(() -> UpstreamConfigParser.parse(yaml, "conf/upstreams.yaml"))
                .isInstanceOf(UpstreamConfigException.class)
                .hasMessageStartingWith("conf/upstreams.yaml")
                .satisfies(e -> {
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void exportedNamesArePrefixedAndNeverLongerThan64() {
        assertThat(ToolNaming.exported("gh", "search_issues")).isEqualTo("gh__search_issues");
        assertThat(ToolNaming.exported("", "search_issues")).isEqualTo("search_issues");
        String longTool = "a_really_long_tool_name_that_goes_on_and_on_and_on_beyond_any_limit_" + "x".repeat(40);
        String a = ToolNaming.exported("everything", longTool);
        String b = ToolNaming.exported("everything", longTool + "y");
        assertThat(a).hasSizeLessThanOrEqualTo(64).startsWith("everything__a_really").matches("[A-Za-z0-9_.-]+");
        assertThat(a).isEqualTo(ToolNaming.exported("everything", longTool)).isNotEqualTo(b);
        assertThat(b).hasSizeLessThanOrEqualTo(64);
        String odd = ToolNaming.exported("x", "has space/slash");
        assertThat(odd).matches("[A-Za-z0-9_.-]+").startsWith("x__has_space_slash_");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            names.add(ToolNaming.exported("p".repeat(40), "t".repeat(30) + i));
        }
        assertThat(names).hasSize(1000).allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(64));
    }

    @Test
    void secretsResolveAndAreRedacted() {
        Secrets secrets = new Secrets(Map.of("TOKEN", "s3cr3t-value")::get);
        assertThat(secrets.resolve("Bearer ${TOKEN}")).isEqualTo("Bearer s3cr3t-value");
        assertThat(secrets.redact("401 for Bearer s3cr3t-value")).isEqualTo("401 for ***");
        assertThatThrownBy(() -> secrets.resolve("${MISSING}")).hasMessage(
                "the environment variable MISSING is not set");
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        Timings t = new Timings(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(700));
        assertThat(List.of(t.backoff(1), t.backoff(2), t.backoff(3), t.backoff(4), t.backoff(30)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                        Duration.ofMillis(700), Duration.ofMillis(700));
    }
}
