package dev.caravan.catalog;

import dev.caravan.tool.FeatureRegistry;
import dev.caravan.tool.RouteInvoker;

import java.util.List;
import java.util.Map;

/** The features the running routes define, as catalogue entries that run their route when used. */
public class RouteSource implements CatalogSource {
    private final FeatureRegistry routes;
    private final RouteInvoker invoker;

    public RouteSource(FeatureRegistry routes, RouteInvoker invoker) {
        this.routes = routes;
        this.invoker = invoker;
    }

    @Override
    public String name() {
        return "routes";
    }

    @Override
    public List<Catalog.Tool> tools() {
        return routes.tools().stream().map(t -> new Catalog.Tool(t.spec().toMcpTool(), t.tags(), t.source(),
                (args, ctx) -> invoker.callTool(t, args, ctx))).toList();
    }

    @Override
    public List<Catalog.Resource> resources() {
        return routes.resources().stream().map(r -> new Catalog.Resource(
                r.spec().isTemplate() ? null : r.spec().toMcpResource(),
                r.spec().isTemplate() ? r.spec().toMcpTemplate() : null,
                r.tags(), r.spec().completions(), r.source(),
                (uri, ctx) -> {
                    Map<String, String> vars = r.spec().isTemplate() ? r.spec().match(uri) : Map.of();
                    return vars == null ? null : invoker.readResource(r, uri, vars, ctx);
                })).toList();
    }

    @Override
    public List<Catalog.Prompt> prompts() {
        return routes.prompts().stream().map(p -> new Catalog.Prompt(p.spec().toMcpPrompt(), p.tags(),
                p.spec().completions(), p.source(), (args, ctx) -> invoker.getPrompt(p, args, ctx))).toList();
    }

    @Override
    public void onChange(Runnable listener) {
        routes.onChange(listener);
    }
}
