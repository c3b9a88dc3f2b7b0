package dev.caravan.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Health for load balancers and operators, and the Prometheus scrape, each with who may read what. (Spring Boot
 * tests turn metrics export off unless asked: the scrape is what is tested here.)
 */
@AutoConfigureObservability(tracing = false)
class OperationsIT extends CaravanIntegrationTest {
    static final String METRICS_TOKEN = "test-metrics-token";

    @DynamicPropertySource
    static void metricsToken(DynamicPropertyRegistry registry) {
        registry.add("caravan.metrics.token", () -> METRICS_TOKEN);
    }

    HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    @Test
    void healthIsOpenButShowsDetailsOnlyWithTheAdminToken() {
        for (String path : new String[]{"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            HttpResponse<String> open = get(path, null);
            assertThat(open.statusCode()).as(path + ": " + open.body()).isEqualTo(200);
            JsonNode body = json(open.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.has("components")).as(path + " without a token shows the status only: " + open.body()).isFalse();
            body.fieldNames().forEachRemaining(f -> assertThat(f).as(open.body()).isIn("status", "groups"));
        }
        // Neither the metrics token nor a wrong one opens the details.
        assertThat(json(get("/actuator/health", METRICS_TOKEN).body()).has("components")).isFalse();
        assertThat(json(get("/actuator/health", "wrong").body()).has("components")).isFalse();

        writeRoute("broken.yaml", "- route:\n    from:\n      uri: ai-tool:broken\n      steps:\n        - nosuchstep: {}\n");
        await(Duration.ofSeconds(10), "the broken file reported", () -> {
            JsonNode s = routeStatus("broken.yaml");
            return s != null && "failed".equals(s.path("state").asText());
        });
        JsonNode full = json(get("/actuator/health", ADMIN_TOKEN).body());
        JsonNode parts = full.path("components");
        assertThat(parts.path("db").path("status").asText()).isEqualTo("UP");
        assertThat(parts.path("routes").path("status").asText()).isEqualTo("UP");
        JsonNode failed = parts.path("routes").path("details").path("failed");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).path("file").asText()).isEqualTo("routes/broken.yaml");
        assertThat(failed.get(0).path("errors").get(0).path("line").asInt()).isPositive();
        assertThat(failed.get(0).path("errors").get(0).path("reason").asText()).isNotBlank();
        assertThat(parts.path("upstreams").path("status").asText()).isEqualTo("UP");
        assertThat(parts.path("workspaces").path("status").asText()).isEqualTo("UP");
        // The readiness group holds the route files, and a broken one does not take the node out.
        JsonNode readiness = json(get("/actuator/health/readiness", ADMIN_TOKEN).body());
        assertThat(readiness.path("components").has("routes")).as(readiness.toString()).isTrue();
        assertThat(readiness.path("status").asText()).isEqualTo("UP");
        deleteRoute("broken.yaml");
    }

    @Test
    void prometheusNeedsTheAdminOrTheMetricsTokenAndNothingElseIsExposed() {
        HttpResponse<String> none = get("/actuator/prometheus", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.body()).contains("CARAVAN_METRICS_TOKEN").doesNotContain("caravan_");
        assertThat(get("/actuator/prometheus", "wrong-token").statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", METRICS_TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus", ADMIN_TOKEN).statusCode()).isEqualTo(200);
        // The metrics token reads metrics only, not the admin API.
        assertThat(get("/admin/api/tools", METRICS_TOKEN).statusCode()).isEqualTo(401);
        for (String other : new String[]{"/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator"}) {
            assertThat(get(other, null).statusCode()).as(other).isEqualTo(401);
            assertThat(get(other, ADMIN_TOKEN).statusCode()).as(other + " with the admin token").isIn(404);
        }
    }

    @Test
    void toolCallsAreCountedAndTimedByToolEndpointAndOutcome() {
        writeRouteAndAwait("metered.yaml", """
                - route:
                    id: metered
                    from:
                      uri: ai-tool:metered_echo
                      parameters:
                        description: Echoes its text
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: "${header.text}"
                """);
        Published ep = publish("metered", "metered_echo");
        await(Duration.ofSeconds(10), "the tool on the endpoint", () ->
                json(admin("GET", "/admin/api/endpoints/metered", null).body()).path("exposedTools").toString()
                        .contains("metered_echo"));
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            for (int i = 0; i < 3; i++) {
                McpSchema.CallToolResult ok = client.callTool(new McpSchema.CallToolRequest("metered_echo", Map.of("text", "hi")));
                assertThat(ok.isError()).isNotEqualTo(Boolean.TRUE);
            }
            // A missing required argument: an isError result for the agent.
            McpSchema.CallToolResult bad = client.callTool(new McpSchema.CallToolRequest("metered_echo", Map.of()));
            assertThat(bad.isError()).isTrue();
            // A tool the endpoint does not publish: not a meter (clients choose these names).
            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("no_such_tool_xyz", Map.of())))
                    .hasMessageContaining("Unknown tool");
            // The session's GET event stream is held open: counted for its endpoint while it lasts.
            await(Duration.ofSeconds(10), "the session's stream counted", () -> scrapeValue(
                    "caravan_mcp_streams_active", "endpoint=\"metered\"") >= 1.0);
        }
        await(Duration.ofSeconds(15), "the closed session's stream uncounted", () -> scrapeValue(
                "caravan_mcp_streams_active", "endpoint=\"metered\"") == 0.0);
        String scrape = get("/actuator/prometheus", METRICS_TOKEN).body();
        assertThat(sample(scrape, "caravan_tool_calls_seconds_count", "endpoint=\"metered\",outcome=\"ok\",tool=\"metered_echo\""))
                .isEqualTo(3.0);
        assertThat(sample(scrape, "caravan_tool_calls_seconds_count",
                "endpoint=\"metered\",outcome=\"tool_error\",tool=\"metered_echo\"")).isEqualTo(1.0);
        assertThat(sample(scrape, "caravan_tool_calls_seconds_sum", "endpoint=\"metered\",outcome=\"ok\",tool=\"metered_echo\""))
                .isPositive();
        // A latency histogram: cumulative buckets ending in +Inf with every call.
        assertThat(sample(scrape, "caravan_tool_calls_seconds_bucket",
                "endpoint=\"metered\",outcome=\"ok\",tool=\"metered_echo\",le=\"+Inf\"")).isEqualTo(3.0);
        assertThat(scrape).containsPattern("caravan_tool_calls_seconds_bucket\\{endpoint=\"metered\",outcome=\"ok\","
                + "tool=\"metered_echo\",le=\"0\\.0\\d+\"}");
        assertThat(scrape).doesNotContain("no_such_tool_xyz");
        assertThat(scrape).contains("caravan_audit_dropped_total").contains("caravan_upstreams{state=\"online\"}")
                .contains("caravan_mcp_requests_active");
        // The queues, read from the database: nothing imported or ingested here, so every state is zero.
        assertThat(sample(scrape, "caravan_imports_jobs", "state=\"queued\"")).isZero();
        assertThat(sample(scrape, "caravan_imports_jobs", "state=\"running\"")).isZero();
        assertThat(sample(scrape, "caravan_knowledge_documents", "state=\"queued\"")).isZero();
        assertThat(sample(scrape, "caravan_knowledge_documents", "state=\"failed\"")).isZero();
    }

    @Test
    void workspaceOperationsAndRelayedUpstreamCallsAreCounted() throws Exception {
        installRoutes("workspace");
        writeRouteAndAwait("relayed.yaml", """
                - route:
                    id: relayed
                    from:
                      uri: ai-tool:relayed_echo
                      parameters:
                        description: Echoes its text
                        parameter.text: string
                      steps:
                        - setBody:
                            simple: "${header.text}"
                """);
        Published files = publish("files", "workspace");
        try (McpSyncClient client = initialized(streamableClient(files))) {
            McpSchema.CallToolResult written = client.callTool(new McpSchema.CallToolRequest("write_file",
                    Map.of("path", "metrics/hello.txt", "content", "hello")));
            assertThat(written.isError()).as(written.toString()).isNotEqualTo(Boolean.TRUE);
            McpSchema.CallToolResult missing = client.callTool(new McpSchema.CallToolRequest("read_text_file",
                    Map.of("path", "metrics/absent.txt")));
            assertThat(missing.isError()).isTrue();
        }
        // This Caravan as its own upstream: a real MCP server over HTTP, its tool re-exported and called.
        Published inner = publish("inner", "relayed_echo");
        HttpResponse<String> declared = admin("POST", "/admin/api/upstreams", JSON.createObjectNode()
                .put("name", "self").put("transport", "streamable-http").put("url", inner.url()).put("prefix", "self")
                .set("auth", JSON.createObjectNode().put("type", "bearer").put("token", inner.token())).toString());
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(201);
        await(Duration.ofSeconds(30), "the upstream online", () ->
                "online".equals(json(admin("GET", "/admin/api/upstreams/self", null).body()).path("state").asText()));
        String exported = json(admin("GET", "/admin/api/upstreams/self", null).body()).path("tools").get(0).asText();
        Published outer = publish("outer", exported);
        await(Duration.ofSeconds(10), "the re-exported tool on the endpoint", () ->
                json(admin("GET", "/admin/api/endpoints/outer", null).body()).path("exposedTools").toString()
                        .contains(exported));
        try (McpSyncClient client = initialized(streamableClient(outer))) {
            McpSchema.CallToolResult relayed = client.callTool(new McpSchema.CallToolRequest(exported, Map.of("text", "via")));
            assertThat(relayed.isError()).as(relayed.toString()).isNotEqualTo(Boolean.TRUE);
        }
        String scrape = get("/actuator/prometheus", METRICS_TOKEN).body();
        assertThat(sample(scrape, "caravan_workspace_operations_total", "operation=\"write_file\",outcome=\"ok\""))
                .isEqualTo(1.0);
        assertThat(sample(scrape, "caravan_workspace_bytes_total", "operation=\"write_file\"")).isEqualTo(5.0);
        assertThat(sample(scrape, "caravan_workspace_operations_total",
                "operation=\"read_text_file\",outcome=\"not-found\"")).isEqualTo(1.0);
        assertThat(sample(scrape, "caravan_upstream_calls_seconds_count", "outcome=\"ok\",upstream=\"self\""))
                .isEqualTo(1.0);
        assertThat(sample(scrape, "caravan_upstreams", "state=\"online\"")).isEqualTo(1.0);
        assertThat(sample(scrape, "caravan_tool_calls_seconds_count",
                "endpoint=\"outer\",outcome=\"ok\",tool=\"" + exported + "\"")).isEqualTo(1.0);
        assertThat(admin("DELETE", "/admin/api/upstreams/self", null).statusCode()).isEqualTo(204);
    }

    /** The value of one Prometheus sample, failing when it is absent. */
    /** One sample of a fresh scrape, or -1 when it is not there. */
    private double scrapeValue(String name, String labels) {
        String scrape;
        try {
            scrape = get("/actuator/prometheus", METRICS_TOKEN).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static double sample(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(name + "{" + labels + "} in:\n" + scrape.lines()
                .filter(l -> l.startsWith(name)).limit(40).reduce("", (a, b) -> a + b + "\n")).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
