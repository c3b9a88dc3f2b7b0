package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route files edited while clients are connected: added, changed and deleted files show up at once with
 * list_changed on both transports; a broken file keeps its previous version serving and is reported with file,
 * line and reason; a second definition of a tool name is refused naming both files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotReloadIT extends CaravanIntegrationTest {
    /** The watcher polls every 200 ms in tests; a change should be served well within this. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    private Published ep;

    @BeforeAll
    void endpoint() {
        ep = publish("reload", "hot");
    }

    @Test
    void addedChangedAndDeletedFilesReachConnectedClients() {
        List<List<String>> streamableSaw = new CopyOnWriteArrayList<>();
        List<List<String>> sseSaw = new CopyOnWriteArrayList<>();
        try (McpSyncClient streamable = initialized(streamableClient(ep).toolsChangeConsumer(t -> streamableSaw.add(names(t))));
             McpSyncClient sse = initialized(sseClient(ep).toolsChangeConsumer(t -> sseSaw.add(names(t))))) {
            assertThat(streamable.listTools().tools()).extracting(McpSchema.Tool::name).doesNotContain("hot_tool");

            long written = System.nanoTime();
            writeRoute("hot/added.yaml", tool("hot", "hot_tool", "First version.", "v1"));
            await(PROMPTLY, "hot_tool listed", () -> names(streamable.listTools().tools()).contains("hot_tool"));
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofMillis(2500));
            await(PROMPTLY, "list_changed with hot_tool on both transports",
                    () -> seen(streamableSaw, "hot_tool") && seen(sseSaw, "hot_tool"));
            assertThat(names(sse.listTools().tools())).contains("hot_tool");
            assertThat(call(streamable, "hot_tool")).isEqualTo("v1");
            assertThat(call(sse, "hot_tool")).isEqualTo("v1");

            // Changed behaviour and description: the next call runs the new route, and the new definition is announced.
            streamableSaw.clear();
            sseSaw.clear();
            writeRoute("hot/added.yaml", tool("hot", "hot_tool", "Second version.", "v2"));
            await(PROMPTLY, "v2 served", () -> "v2".equals(call(streamable, "hot_tool")));
            assertThat(call(sse, "hot_tool")).isEqualTo("v2");
            await(PROMPTLY, "list_changed for the new description", () -> !streamableSaw.isEmpty() && !sseSaw.isEmpty());
            assertThat(streamable.listTools().tools()).filteredOn(t -> t.name().equals("hot_tool"))
                    .extracting(McpSchema.Tool::description).containsExactly("Second version.");

            streamableSaw.clear();
            sseSaw.clear();
            deleteRoute("hot/added.yaml");
            await(PROMPTLY, "hot_tool gone", () -> !names(streamable.listTools().tools()).contains("hot_tool"));
            await(PROMPTLY, "list_changed without hot_tool on both transports",
                    () -> !streamableSaw.isEmpty() && !sseSaw.isEmpty()
                            && !last(streamableSaw).contains("hot_tool") && !last(sseSaw).contains("hot_tool"));
            assertThat(names(sse.listTools().tools())).doesNotContain("hot_tool");
            assertThat(routeStatus("hot/added.yaml")).isNull();
        }
    }

    static Stream<Arguments> brokenVersions() {
        return Stream.of(
                // The quoted scalar opened on line 9 never closes.
                Arguments.of("yaml", """
                        - route:
                            id: broken-yaml
                            from:
                              uri: ai-tool:broken_yaml
                              parameters:
                                tags: hot
                              steps:
                                - setBody:
                                    constant: "v2
                        """, 9, List.of("quoted")),
                Arguments.of("component", """
                        - route:
                            id: broken-component
                            from:
                              uri: ai-tool:broken_component
                              parameters:
                                tags: hot
                              steps:
                                - setBody:
                                    constant: v2
                                - to: nosuch:thing
                        """, 10, List.of("nosuch")),
                Arguments.of("option", """
                        - route:
                            id: broken-option
                            from:
                              uri: ai-tool:broken_option
                              parameters:
                                tags: hot
                                parameter.x: notatype
                              steps:
                                - setBody:
                                    constant: v2
                        """, 7, List.of("'x'", "notatype")));
    }

    @ParameterizedTest(name = "broken {0}")
    @MethodSource("brokenVersions")
    void aBrokenFileKeepsItsPreviousVersionServingAndIsReported(String kind, String broken, int line, List<String> reason) {
        String file = "broken-" + kind + ".yaml";
        String tool = "broken_" + kind;
        writeRouteAndAwait(file, tool("broken-" + kind, tool, "Good version.", "v1"));
        List<List<String>> announced = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(streamableClient(ep).toolsChangeConsumer(t -> announced.add(names(t))))) {
            await(PROMPTLY, tool + " listed", () -> names(client.listTools().tools()).contains(tool));
            assertThat(call(client, tool)).isEqualTo("v1");
            announced.clear();

            // Calls keep coming while the broken version is written: not one of them may miss.
            List<String> answers = new CopyOnWriteArrayList<>();
            writeRoute(file, broken);
            await(Duration.ofSeconds(5), file + " reported as failed", () -> {
                answers.add(String.valueOf(call(client, tool)));
                JsonNode s = routeStatus(file);
                return s != null && "failed".equals(s.path("state").asText());
            });
            assertThat(answers).containsOnly("v1");
            assertThat(announced).as("list_changed while the broken file was refused").isEmpty();
            JsonNode status = routeStatus(file);
            assertThat(status.path("file").asText()).isEqualTo("routes/" + file);
            assertThat(status.path("servingPrevious").asBoolean()).isTrue();
            assertThat(status.path("error").asText()).isNotBlank();
            for (String fragment : reason) {
                assertThat(status.path("error").asText()).contains(fragment);
            }
            assertThat(status.path("line").isInt()).as("line of %s", status).isTrue();
            assertThat(status.path("line").asInt()).as("line of %s", status).isEqualTo(line);
            // The error reveals no stack trace.
            assertThat(status.path("error").asText()).doesNotContain("\tat ", "Exception:");

            // The previous version keeps serving.
            assertThat(call(client, tool)).isEqualTo("v1");
            assertThat(names(client.listTools().tools())).contains(tool);

            // Fixing the file brings the new version in and clears the report.
            writeRouteAndAwait(file, tool("broken-" + kind, tool, "Fixed version.", "v3"));
            await(PROMPTLY, "v3 served", () -> "v3".equals(call(client, tool)));
            assertThat(routeStatus(file).path("error").isNull()).isTrue();
        }
    }

    @Test
    void aSecondDefinitionOfAToolNameIsRefusedNamingBothFiles() {
        writeRouteAndAwait("first.yaml", tool("dup-one", "dup_tool", "The first.", "first"));
        try (McpSyncClient client = initialized(sseClient(ep))) {
            await(PROMPTLY, "dup_tool listed", () -> names(client.listTools().tools()).contains("dup_tool"));
            assertThat(call(client, "dup_tool")).isEqualTo("first");

            writeRoute("second.yaml", tool("dup-two", "dup_tool", "The second.", "second"));
            await(Duration.ofSeconds(15), "second.yaml reported", () -> {
                JsonNode s = routeStatus("second.yaml");
                return s != null && "failed".equals(s.path("state").asText());
            });
            JsonNode refused = routeStatus("second.yaml");
            assertThat(refused.path("error").asText()).contains("dup_tool").contains("first.yaml").contains("second.yaml");
            assertThat(refused.path("line").asInt()).as("line of %s", refused).isEqualTo(4);
            assertThat(refused.path("servingPrevious").asBoolean()).isFalse();
            assertThat(routeStatus("first.yaml").path("state").asText()).isEqualTo("loaded");

            // The first definition keeps serving, unchanged.
            assertThat(call(client, "dup_tool")).isEqualTo("first");
            assertThat(client.listTools().tools()).filteredOn(t -> t.name().equals("dup_tool"))
                    .extracting(McpSchema.Tool::description).containsExactly("The first.");

            // Once the first file goes, the second one can be loaded by touching it.
            deleteRoute("first.yaml");
            await(PROMPTLY, "dup_tool gone", () -> !names(client.listTools().tools()).contains("dup_tool"));
            writeRouteAndAwait("second.yaml", tool("dup-two", "dup_tool", "The second, again.", "second"));
            await(PROMPTLY, "second served", () -> names(client.listTools().tools()).contains("dup_tool")
                    && "second".equals(call(client, "dup_tool")));
        }
    }

    @Test
    void revertingABrokenFileToTheServingContentClearsTheReport() {
        String good = tool("revert-me", "revert_tool", "Good.", "v1");
        writeRouteAndAwait("revert.yaml", good);
        writeRoute("revert.yaml", good.replace("constant: v1", "constant: v1\n        - to: nosuch:thing"));
        await(PROMPTLY, "revert.yaml reported as failed",
                () -> "failed".equals(routeStatus("revert.yaml").path("state").asText()));
        writeRouteAndAwait("revert.yaml", good);
        JsonNode status = routeStatus("revert.yaml");
        assertThat(status.path("error").isNull()).as("%s", status).isTrue();
        assertThat(status.path("errors").isEmpty()).as("%s", status).isTrue();
        assertThat(status.path("routes")).extracting(JsonNode::asText).containsExactly("revert-me");
        deleteRoute("revert.yaml");
    }

    @Test
    void everyProblemInAFileIsReportedWithItsLine() {
        writeRouteAndAwait("taken.yaml", tool("taken", "taken_tool", "Taken.", "t"));
        // Two routes that fail when started: one clashes with another file's tool, one with a tool in this file.
        writeRoute("clashes.yaml", tool("c-one", "taken_tool", "Again.", "x")
                + tool("c-two", "twice_tool", "Once.", "y") + tool("c-three", "twice_tool", "Twice.", "z"));
        await(Duration.ofSeconds(15), "clashes.yaml reported",
                () -> routeStatus("clashes.yaml") != null && "failed".equals(routeStatus("clashes.yaml").path("state").asText()));
        JsonNode clashes = routeStatus("clashes.yaml").path("errors");
        assertThat(clashes).as("%s", clashes).hasSize(2);
        assertThat(clashes.get(0).path("reason").asText()).contains("taken_tool", "taken.yaml");
        assertThat(clashes.get(0).path("line").asInt()).isEqualTo(4);
        assertThat(clashes.get(1).path("reason").asText()).contains("twice_tool", "c-two", "c-three");
        assertThat(clashes.get(1).path("line").asInt()).isEqualTo(24);
        assertThat(routeStatus("taken.yaml").path("state").asText()).isEqualTo("loaded");

        // Two routes that cannot even be resolved: both named, and nothing of the file starts.
        writeRoute("clashes.yaml", tool("c-one", "fine_tool", "Fine.", "x")
                + tool("c-two", "opt_tool", "Bad option.", "y").replace("tags: hot", "tags: hot\n        parameter.x: notatype")
                + tool("c-three", "comp_tool", "Bad component.", "z").replace("constant: z", "constant: z\n        - to: nosuch:thing"));
        await(Duration.ofSeconds(15), "clashes.yaml reported again", () -> {
            JsonNode e = routeStatus("clashes.yaml").path("errors");
            return e.size() == 2 && e.get(0).path("reason").asText().contains("notatype");
        });
        JsonNode status = routeStatus("clashes.yaml");
        assertThat(status.path("errors").get(0).path("line").asInt()).isEqualTo(17);
        assertThat(status.path("errors").get(1).path("reason").asText()).contains("nosuch");
        assertThat(status.path("errors").get(1).path("line").asInt()).isEqualTo(32);
        assertThat(status.path("line").asInt()).isEqualTo(17);
        assertThat(status.path("error").asText()).isEqualTo(status.path("errors").get(0).path("reason").asText());
        deleteRoute("clashes.yaml");
        deleteRoute("taken.yaml");
    }

    // ---------------------------------------------------------------- helpers

    private static String tool(String routeId, String name, String description, String answer) {
        return """
                - route:
                    id: %s
                    from:
                      uri: ai-tool:%s
                      parameters:
                        tags: hot
                        description: %s
                      steps:
                        - setBody:
                            constant: %s
                """.formatted(routeId, name, description, answer);
    }

    /** The tool's text answer; failures come back as text too, so that awaits can poll through a reload. */
    private static String call(McpSyncClient client, String tool) {
        McpSchema.CallToolResult r;
        try {
            r = client.callTool(new McpSchema.CallToolRequest(tool, Map.of()));
        } catch (McpError e) {
            return "protocol error: " + e.getMessage();
        }
        return r.content().isEmpty() || !(r.content().get(0) instanceof McpSchema.TextContent t) ? null
                : (Boolean.TRUE.equals(r.isError()) ? "error: " : "") + t.text();
    }

    private static List<String> names(List<McpSchema.Tool> tools) {
        return tools.stream().map(McpSchema.Tool::name).sorted().toList();
    }

    private static boolean seen(List<List<String>> announcements, String tool) {
        return announcements.stream().anyMatch(l -> l.contains(tool));
    }

    private static List<String> last(List<List<String>> announcements) {
        return announcements.get(announcements.size() - 1);
    }
}
