package dev.caravan.catalog;

import dev.caravan.tool.FeatureRegistry;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogTest {
    /** A source whose tools the test sets. */
    static final class FixedSource implements CatalogSource {
        private final String name;
        private final List<Runnable> listeners = new ArrayList<>();
        private List<Catalog.Tool> tools = List.of();

        FixedSource(String name) {
            this.name = name;
        }

        void tools(String... names) {
            tools = java.util.Arrays.stream(names).map(n -> new Catalog.Tool(McpSchema.Tool.builder().name(n)
                    .description(n).inputSchema(Map.of("type", "object")).build(), Set.of(name), name,
                    (a, c) -> null)).toList();
            listeners.forEach(Runnable::run);
        }

        public String name() {
            return name;
        }

        public List<Catalog.Tool> tools() {
            return tools;
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
    }

    @Test
    void anEarlierSourceKeepsANameAndTheCollisionIsReported() {
        FixedSource routes = new FixedSource("routes");
        FixedSource upstream = new FixedSource("upstream github");
        Catalog catalog = new Catalog(new FeatureRegistry(), routes);
        AtomicInteger changes = new AtomicInteger();
        catalog.onChange(changes::incrementAndGet);

        routes.tools("search", "lookup");
        catalog.addSource(upstream);
        upstream.tools("search", "issues");

        assertThat(catalog.tools()).extracting(Catalog.Tool::source).containsExactly("routes", "routes", "upstream github");
        assertThat(catalog.tools()).extracting(t -> t.definition().name()).containsExactly("search", "lookup", "issues");
        assertThat(catalog.collisions()).containsExactly(new Catalog.Collision("tool", "search", "routes", "upstream github"));
        assertThat(changes.get()).isEqualTo(3);

        catalog.removeSource(upstream);
        assertThat(catalog.tools()).extracting(t -> t.definition().name()).containsExactly("search", "lookup");
        assertThat(catalog.collisions()).isEmpty();
    }

    @Test
    void selectorsMatchNamesAndTagsByGlob() {
        ToolSelector s = new ToolSelector(List.of("crm", "report_*"));
        assertThat(s.matches("anything", Set.of("crm"))).isTrue();
        assertThat(s.matches("report_sales", Set.of())).isTrue();
        assertThat(s.matches("reports", Set.of("crm2"))).isFalse();
        assertThat(new ToolSelector(List.of("a?c")).matches("abc", Set.of())).isTrue();
        assertThat(new ToolSelector(List.of("a.c")).matches("abc", Set.of())).isFalse();
    }
}
