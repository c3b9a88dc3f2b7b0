package dev.caravan.e2e;

import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeIT extends CaravanIntegrationTest {
    @Test
    void aRouteFileBecomesAToolOnBothTransports() {
        writeRoute("echo.yaml", """
                - route:
                    from:
                      uri: ai-tool:echo
                      parameters:
                        tags: smoke
                        description: Echoes its text.
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setBody:
                            simple: "echo: ${header.text}"
                """);
        Published ep = publish("smoke", "smoke");
        await(Duration.ofSeconds(15), "echo tool", () -> admin("GET", "/admin/api/endpoints/smoke", null).body().contains("echo"));
        try (McpSyncClient c = initialized(streamableClient(ep)); McpSyncClient s = initialized(sseClient(ep))) {
            for (McpSyncClient client : new McpSyncClient[]{c, s}) {
                McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("text", "hi")));
                assertThat(r.isError()).isFalse();
                assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("echo: hi");
            }
        }
    }
}
