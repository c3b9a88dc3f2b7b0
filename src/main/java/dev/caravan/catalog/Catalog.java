package dev.caravan.catalog;

import dev.caravan.tool.CallContext;
import dev.caravan.tool.FeatureRegistry;
import dev.caravan.tool.RouteInvoker;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The merged catalogue every published endpoint draws its slice from. Today its one source is the routes;
 * upstream MCP servers join here as a second source.
 */
public class Catalog {
    private final FeatureRegistry routes;
    private final RouteInvoker invoker;

    public Catalog(FeatureRegistry routes, RouteInvoker invoker) {
        this.routes = routes;
        this.invoker = invoker;
    }

    public record Tool(McpSchema.Tool definition, Set<String> tags, String source,
                       BiFunction<Map<String, Object>, CallContext, McpSchema.CallToolResult> handler) {
    }

    public record Resource(McpSchema.Resource resource, McpSchema.ResourceTemplate template, Set<String> tags,
                           Map<String, List<String>> completions, String source,
                           Reader reader) {
        public String name() {
            return resource != null ? resource.name() : template.name();
        }

        public String key() {
            return resource != null ? resource.uri() : template.uriTemplate();
        }
    }

    public interface Reader {
        /** Reads a concrete URI; for templates, null when the URI does not match. */
        McpSchema.ReadResourceResult read(String uri, CallContext context);
    }

    public record Prompt(McpSchema.Prompt definition, Set<String> tags, Map<String, List<String>> completions,
                         String source,
                         BiFunction<Map<String, Object>, CallContext, McpSchema.GetPromptResult> handler) {
    }

    public List<Tool> tools() {
        return routes.tools().stream().map(t -> new Tool(t.spec().toMcpTool(), t.tags(), t.source(),
                (args, ctx) -> invoker.callTool(t, args, ctx))).toList();
    }

    public List<Resource> resources() {
        return routes.resources().stream().map(r -> new Resource(
                r.spec().isTemplate() ? null : r.spec().toMcpResource(),
                r.spec().isTemplate() ? r.spec().toMcpTemplate() : null,
                r.tags(), r.spec().completions(), r.source(),
                (uri, ctx) -> {
                    Map<String, String> vars = r.spec().isTemplate() ? r.spec().match(uri) : Map.of();
                    return vars == null ? null : invoker.readResource(r, uri, vars, ctx);
                })).toList();
    }

    public List<Prompt> prompts() {
        return routes.prompts().stream().map(p -> new Prompt(p.spec().toMcpPrompt(), p.tags(),
                p.spec().completions(), p.source(), (args, ctx) -> invoker.getPrompt(p, args, ctx))).toList();
    }

    public void onChange(Runnable listener) {
        routes.onChange(listener);
    }

    public void onResourceUpdated(Consumer<String> listener) {
        routes.onResourceUpdated(listener);
    }
}
