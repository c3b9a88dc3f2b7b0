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

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void anEndpointAnotherNodeCreatesAndDeletesIsServedHereToo() {
        // Another node sharing the database writes the endpoint and its credential.
        String token = dev.caravan.server.Credentials.newToken();
        java.sql.Timestamp now = java.sql.Timestamp.from(java.time.Instant.now());
        jdbc.update("insert into endpoint (name, tools, enabled, created_at, updated_at) values ('other', 'pg', true, ?, ?)", now, now);
        jdbc.update("insert into credential (id, endpoint_name, name, token_hash, created_at) values ('x1', 'other', 'default', ?, ?)",
                dev.caravan.server.Credentials.hash(token), now);
        java.util.function.IntSupplier status = () -> send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/mcp/other")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"))
                .build()).statusCode();
        await(Duration.ofSeconds(12), "endpoint from the other node served", () -> status.getAsInt() == 200);
        jdbc.update("delete from endpoint where name = 'other'");
        await(Duration.ofSeconds(12), "endpoint deleted by the other node withdrawn", () -> status.getAsInt() == 404);
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
        await(Duration.ofSeconds(15), "pg_echo published", () -> admin("GET", "/admin/api/endpoints/pg", null).body().contains("pg_echo"));
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
