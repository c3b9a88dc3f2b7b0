package dev.caravan.e2e;

import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole application on PostgreSQL instead of the embedded H2: publish, call, regenerate. */
class PostgresApplicationIT extends CaravanIntegrationTest {
    private static final String SCHEMA = "caravan_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        String url = System.getProperty("caravan.test.postgres-url", "jdbc:postgresql://127.0.0.1:5432/test");
        registry.add("spring.datasource.url", () -> url + "?currentSchema=" + SCHEMA);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.flyway.schemas", () -> SCHEMA);
        registry.add("spring.flyway.create-schemas", () -> "true");
    }

    @Test
    void publishesAndRegeneratesOnPostgres() {
        writeRoute("pg.yaml", """
                - route:
                    from:
                      uri: ai-tool:pg_echo
                      parameters:
                        tags: pg
                        description: Echo.
                        parameter.text: string
                      steps:
                        - setBody:
                            simple: "${header.text}"
                """);
        Published ep = publish("pg", "pg");
        await(Duration.ofSeconds(5), "pg_echo published", () -> admin("GET", "/admin/api/endpoints/pg", null).body().contains("pg_echo"));
        try (McpSyncClient c = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("pg_echo", Map.of("text", "on postgres")));
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("on postgres");
        }
        assertThat(admin("POST", "/admin/api/endpoints/pg/regenerate", "{}").statusCode()).isEqualTo(200);
        assertThat(send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ep.url()))
                .header("Authorization", "Bearer " + ep.token()).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode()).isEqualTo(401);
    }
}
