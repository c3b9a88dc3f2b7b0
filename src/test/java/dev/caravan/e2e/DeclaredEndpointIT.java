package dev.caravan.e2e;

import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** An endpoint declared in configuration, its token taken from an environment variable by name. */
@org.springframework.context.annotation.Import(DeclaredEndpointIT.FirstRequest.class)
class DeclaredEndpointIT extends CaravanIntegrationTest {
    private static final String TOKEN = "declared-token-0123456789";
    /** The status of an initialize sent the moment the web server reports its port open. */
    private static volatile int firstStatus;

    /** Sends the first request as soon as Tomcat has started, before the application context finishes refreshing. */
    static class FirstRequest {
        @org.springframework.context.annotation.Bean
        org.springframework.context.ApplicationListener<org.springframework.boot.web.servlet.context.ServletWebServerInitializedEvent> firstRequest() {
            return event -> firstStatus = send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://localhost:" + event.getWebServer().getPort() + "/mcp/ops"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .header("Accept", ACCEPT_MCP)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(initializeRequest(1))).build()).statusCode();
        }
    }

    @Test
    void answersTheFirstRequestAfterThePortOpens() {
        assertThat(firstStatus).isEqualTo(200);
    }

    @DynamicPropertySource
    static void declare(DynamicPropertyRegistry registry) {
        registry.add("caravan.endpoints.ops.tools", () -> "ops");
        registry.add("caravan.endpoints.ops.token-env", () -> "OPS_MCP_TOKEN");
        registry.add("OPS_MCP_TOKEN", () -> TOKEN);
    }

    @Test
    void isServedWithItsTokenAndCannotBeChangedThroughTheApi() {
        writeRoute("ops.yaml", """
                - route:
                    from:
                      uri: ai-tool:ops_status
                      parameters:
                        tags: ops
                        description: Says all is well.
                      steps:
                        - setBody:
                            constant: all well
                """);
        Published ops = new Published("ops", baseUrl() + "/mcp/ops", null, baseUrl() + "/sse/ops", TOKEN);
        await(Duration.ofSeconds(15), "ops_status", () -> admin("GET", "/admin/api/endpoints/ops", null).body().contains("ops_status"));
        try (McpSyncClient client = initialized(streamableClient(ops))) {
            assertThat(client.listTools().tools()).extracting(t -> t.name()).containsExactly("ops_status");
        }
        assertThat(json(admin("GET", "/admin/api/endpoints/ops", null).body()).get("source").asText()).isEqualTo("configuration");
        assertThat(admin("PATCH", "/admin/api/endpoints/ops", "{\"enabled\":false}").statusCode()).isEqualTo(409);
        assertThat(admin("POST", "/admin/api/endpoints/ops/regenerate", "{}").statusCode()).isEqualTo(409);
        assertThat(admin("POST", "/admin/api/endpoints", "{\"name\":\"ops\",\"tools\":[\"x\"]}").statusCode()).isEqualTo(409);
        Published wrong = new Published("ops", ops.url(), null, ops.sseUrl(), "nope");
        assertThat(send(mcpPost(wrong, null, initializeRequest(1)).build()).statusCode()).isEqualTo(401);
    }
}
