package dev.caravan.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.support.ToolCalls;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped knowledge tools and ingestion route on the real application: a base declared through the admin API,
 * files written and deleted with the MCP file tools (the audit trail's change events queue them), searched with
 * search_knowledge through a published endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KnowledgeToolsIT extends CaravanIntegrationTest {
    McpSyncClient client;

    @BeforeAll
    void setUp() {
        installRoutes("workspace");
        installRoutes("knowledge");
        client = initialized(streamableClient(publish("kb", "workspace", "knowledge")));
    }

    @AfterAll
    void close() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    JsonNode base() {
        return json(admin("GET", "/admin/api/knowledge/kb?documents=true", null).body());
    }

    @Test
    void declareWriteSearchAndDelete() throws Exception {
        var bad = admin("POST", "/admin/api/knowledge", "{\"name\":\"kb\",\"sources\":[],\"chunking\":{\"size\":9000}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("sources must be a non-empty list");
        var created = admin("POST", "/admin/api/knowledge",
                "{\"name\":\"kb\",\"sources\":[{\"workspace\":\"default\",\"include\":[\"kb/**\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created.body()).path("chunking").path("size").asInt()).isEqualTo(256);

        Map<String, McpSchema.Tool> tools = client.listTools().tools().stream()
                .collect(Collectors.toMap(McpSchema.Tool::name, t -> t));
        assertThat(tools).containsKeys("search_knowledge", "knowledge_status", "knowledge_reindex");

        ToolCalls.ok(client, "write_file", "path", "kb/expenses.md", "content", Corpus.source("expenses.md"));
        ToolCalls.ok(client, "write_file", "path", "kb/notes.txt", "content", Corpus.source("notes.txt"));
        ToolCalls.ok(client, "write_file", "path", "outside.md", "content", "The hotel limit is unlimited.");
        await(Duration.ofSeconds(90), "two documents indexed",
                () -> base().path("counts").path("indexed").asInt() == 2);

        JsonNode found = json(ToolCalls.ok(client, "search_knowledge", "query", "hotel limit per night in London",
                "k", 3));
        JsonNode top = found.path("results").get(0);
        assertThat(top.path("path").asText()).isEqualTo("kb/expenses.md");
        assertThat(top.path("workspace").asText()).isEqualTo("default");
        assertThat(top.path("heading").asText()).isEqualTo("Hotels");
        assertThat(top.path("text").asText()).contains("240 euros in London");
        assertThat(top.path("link").asText()).endsWith("/files/default/kb/expenses.md");
        assertThat(found.toString()).doesNotContain("outside.md").doesNotContain(dataDir.toString());

        String status = ToolCalls.ok(client, "knowledge_status", "knowledgeBase", "kb");
        assertThat(json(status).path("knowledgeBases").get(0).path("counts").path("indexed").asInt()).isEqualTo(2);
        assertThat(ToolCalls.error(client, "knowledge_status", "knowledgeBase", "nope")).contains("no knowledge base");
        assertThat(ToolCalls.error(client, "search_knowledge", "query", "x", "knowledgeBase", "nope"))
                .contains("no knowledge base named nope");

        ToolCalls.ok(client, "delete_file", "path", "kb/expenses.md");
        await(Duration.ofSeconds(20), "the deleted file gone from search", () -> !ToolCalls.ok(client,
                "search_knowledge", "query", "hotel limit London").contains("kb/expenses.md"));
        assertThat(base().path("documents")).hasSize(1);

        assertThat(ToolCalls.ok(client, "knowledge_reindex", "base", "kb")).contains("Queued 1 document");
        assertThat(admin("DELETE", "/admin/api/knowledge/kb", null).statusCode()).isEqualTo(204);
        assertThat(admin("GET", "/admin/api/knowledge/kb", null).statusCode()).isEqualTo(404);
    }
}
