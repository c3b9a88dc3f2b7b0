package dev.caravan.catalog;

import dev.caravan.core.CallContext;
import dev.caravan.tool.FeatureRegistry;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The merged catalogue every published endpoint draws its slice from. Sources are merged in the order they were
 * added (routes first). A name two sources both define is never silently shadowed: the first keeps it, the
 * later one's entry is left out and reported by {@link #collisions()}.
 */
public class Catalog {
    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    private final List<CatalogSource> sources = new CopyOnWriteArrayList<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final FeatureRegistry routes;
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    public Catalog(FeatureRegistry routes, CatalogSource routeSource) {
        this.routes = routes;
        addSource(routeSource);
    }

    public record Tool(McpSchema.Tool definition, Set<String> tags, String source,
                       BiFunction<Map<String, Object>, CallContext, McpSchema.CallToolResult> handler) {
    }

    public record Resource(McpSchema.Resource resource, McpSchema.ResourceTemplate template, Set<String> tags,
                           Map<String, List<String>> completions, String source,
                           Reader reader, Completer completer) {
        public Resource(McpSchema.Resource resource, McpSchema.ResourceTemplate template, Set<String> tags,
                        Map<String, List<String>> completions, String source, Reader reader) {
            this(resource, template, tags, completions, source, reader, null);
        }

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
                         BiFunction<Map<String, Object>, CallContext, McpSchema.GetPromptResult> handler,
                         Completer completer) {
        public Prompt(McpSchema.Prompt definition, Set<String> tags, Map<String, List<String>> completions,
                      String source, BiFunction<Map<String, Object>, CallContext, McpSchema.GetPromptResult> handler) {
            this(definition, tags, completions, source, handler, null);
        }
    }

    /**
     * Answers completion/complete for a prompt or template whose values are not a fixed list (an upstream's: the
     * request is passed on to it). When null, {@code completions} is used.
     */
    public interface Completer {
        McpSchema.CompleteResult complete(McpSchema.CompleteRequest request, CallContext context);
    }

    /** A feature left out because an earlier source already defines its name. */
    public record Collision(String kind, String name, String kept, String refused) {
    }

    public void addSource(CatalogSource source) {
        sources.add(source);
        source.onChange(this::changed);
        changed();
    }

    public void removeSource(CatalogSource source) {
        if (sources.remove(source)) {
            changed();
        }
    }

    public List<Tool> tools() {
        return merge("tool", CatalogSource::tools, t -> t.definition().name(), Tool::source, null);
    }

    public List<Resource> resources() {
        return merge("resource", CatalogSource::resources, Resource::key, Resource::source, null);
    }

    public List<Prompt> prompts() {
        return merge("prompt", CatalogSource::prompts, p -> p.definition().name(), Prompt::source, null);
    }

    public List<Collision> collisions() {
        List<Collision> out = new ArrayList<>();
        merge("tool", CatalogSource::tools, t -> t.definition().name(), Tool::source, out);
        merge("resource", CatalogSource::resources, Resource::key, Resource::source, out);
        merge("prompt", CatalogSource::prompts, p -> p.definition().name(), Prompt::source, out);
        return out;
    }

    private <T> List<T> merge(String kind, Function<CatalogSource, List<T>> features, Function<T, String> name,
                              Function<T, String> origin, List<Collision> collisions) {
        Map<String, T> merged = new LinkedHashMap<>();
        for (CatalogSource source : sources) {
            for (T feature : features.apply(source)) {
                T kept = merged.putIfAbsent(name.apply(feature), feature);
                if (kept != null) {
                    Collision c = new Collision(kind, name.apply(feature), origin.apply(kept), origin.apply(feature));
                    if (collisions != null) {
                        collisions.add(c);
                    } else if (reported.put(kind + ":" + c.name() + ":" + c.refused(), c.kept()) == null) {
                        log.error("The {} '{}' from {} is left out: {} already defines it. Rename one of them "
                                + "(or give the upstream a prefix).", kind, c.name(), c.refused(), c.kept());
                    }
                }
            }
        }
        return List.copyOf(merged.values());
    }

    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    public void onResourceUpdated(Consumer<String> listener) {
        routes.onResourceUpdated(listener);
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }
}
