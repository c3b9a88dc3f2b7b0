package dev.caravan.server;


import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogSource;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.core.Caller;
import dev.caravan.tool.FeatureRegistry;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.core.WorkspaceScopes.Operation;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** One SDK server pair per distinct operation set: made on demand, synced together, closed when not needed. */
class EndpointViewsTest {
    private final List<Catalog.Tool> tools = new ArrayList<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private final CatalogSource source = new CatalogSource() {
        public String name() {
            return "routes";
        }

        public List<Catalog.Tool> tools() {
            return List.copyOf(tools);
        }

        public List<Catalog.Resource> resources() {
            return List.of();
        }

        public List<Catalog.Prompt> prompts() {
            return List.of();
        }

        public void onChange(Runnable listener) {
            listeners.add(listener);
        }
    };
    private final EndpointViews views = new EndpointViews("files", new ToolSelector(List.of("workspace")),
            new Catalog(new FeatureRegistry(), source), new CallRegistry(), McpJson.mapper(), new McpServerProperties().getMcp());

    private void tool(String name, String... tags) {
        tools.add(new Catalog.Tool(McpSchema.Tool.builder().name(name).description(name)
                .inputSchema(Map.of("type", "object")).build(), Set.of(tags), "routes", (a, c) -> null));
    }

    private static Caller caller(Operation... ops) {
        return new Caller("files", "c", new WorkspaceScopes(List.of("*"), EnumSet.copyOf(List.of(ops))));
    }

    @AfterEach
    void close() {
        views.close();
    }

    @Test
    void eachOperationSetSeesItsToolsAndViewsAreClosedWhenNoCredentialNeedsThem() {
        tool("read_text_file", "workspace", "workspace-read");
        tool("write_file", "workspace", "workspace-write");
        tool("list_workspaces", "workspace");
        views.sync();

        EndpointServer reader = views.of(caller(Operation.READ));
        assertThat(reader.toolNames()).containsExactly("list_workspaces", "read_text_file");
        assertThat(views.of(caller(Operation.READ))).isSameAs(reader);
        assertThat(views.of(null).toolNames()).containsExactly("list_workspaces", "read_text_file", "write_file");
        assertThat(views.of(new Caller("files", "d"))).isSameAs(views.of(null));
        assertThat(views.toolNames()).containsExactly("list_workspaces", "read_text_file", "write_file");
        assertThat(views.viewCount()).isEqualTo(2);

        // A catalogue change reaches every view.
        tool("grep_files", "workspace", "workspace-read");
        views.sync();
        assertThat(reader.toolNames()).contains("grep_files");
        // And so does a new selection.
        views.select(new ToolSelector(List.of("read_*")));
        assertThat(reader.toolNames()).containsExactly("read_text_file");

        // Young views are kept (another node may have just made the credential), old unneeded ones closed.
        views.retain(Set.of());
        assertThat(views.viewCount()).isEqualTo(2);
        views.retain(Set.of(Set.of(Operation.READ)), 0);
        assertThat(views.viewCount()).isEqualTo(2);
        views.retain(Set.of(), 0);
        assertThat(views.viewCount()).as("the full view always stays").isEqualTo(1);
        assertThat(views.of(caller(Operation.READ))).isNotSameAs(reader);
    }
}
