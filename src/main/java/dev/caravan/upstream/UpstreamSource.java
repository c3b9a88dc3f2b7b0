package dev.caravan.upstream;

import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogSource;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.core.CallContext;
import dev.caravan.tool.ClientInputPending;
import dev.caravan.tool.ToolResults;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An upstream's tools as catalogue entries: filtered by include/exclude, renamed {@code prefix__tool} (see
 * {@link ToolNaming}), definitions otherwise passed through untouched (title, description, input and output
 * schemas, annotations, _meta, icons). Calling one calls the upstream under its real name.
 * Prompts are federated the same way ({@code prefix__prompt}, include/exclude apply to their names too);
 * resources and resource templates keep their URIs (a URI two sources share is a collision the catalogue
 * reports). Reads, prompts and completion requests (for prompts and templates) go to the upstream; its errors
 * come back as JSON-RPC errors.
 */
final class UpstreamSource implements CatalogSource {
    private static final Logger log = LoggerFactory.getLogger(UpstreamSource.class);

    private final UpstreamConnection connection;
    private final ToolSelector include;
    private final ToolSelector exclude;
    private final Set<String> tags;
    private volatile Exported exported = new Exported(List.of(), List.of(), List.of(), Map.of(), Listing.EMPTY);

    /**
     * The current entries, the reverse map (exported tool and prompt name → the upstream's name), and the listing
     * the entries came from.
     */
    private record Exported(List<Catalog.Tool> tools, List<Catalog.Resource> resources, List<Catalog.Prompt> prompts,
                            Map<String, String> realNames, Listing from) {
    }

    UpstreamSource(UpstreamConnection connection) {
        this.connection = connection;
        UpstreamConfig config = connection.config();
        this.include = config.include().isEmpty() ? null : new ToolSelector(config.include());
        this.exclude = config.exclude().isEmpty() ? null : new ToolSelector(config.exclude());
        this.tags = Set.copyOf(new LinkedHashSet<>(config.tags()));
    }

    @Override
    public String name() {
        return "upstream " + connection.config().name();
    }

    @Override
    public List<Catalog.Tool> tools() {
        return current().tools();
    }

    /** The upstream's own name of an exported tool (or, as {@code prompt:NAME}, prompt), or null. */
    String realName(String exportedName) {
        return current().realNames().get(exportedName);
    }

    List<String> exportedNames() {
        return current().tools().stream().map(t -> t.definition().name()).toList();
    }

    @Override
    public List<Catalog.Resource> resources() {
        return current().resources();
    }

    @Override
    public List<Catalog.Prompt> prompts() {
        return current().prompts();
    }

    @Override
    public void onChange(Runnable listener) {
        connection.onChange(listener);
    }

    private Exported current() {
        Listing upstream = connection.listing();
        Exported now = exported;
        if (now.from() != upstream) {
            now = export(upstream);
            exported = now;
        }
        return now;
    }

    private boolean selected(String name) {
        return name != null && (include == null || include.matches(name, Set.of()))
                && (exclude == null || !exclude.matches(name, Set.of()));
    }

    private Exported export(Listing upstream) {
        String prefix = connection.config().prefix();
        List<Catalog.Tool> tools = new ArrayList<>();
        Map<String, String> real = new LinkedHashMap<>();
        for (McpSchema.Tool t : upstream.tools()) {
            if (!selected(t.name())) {
                continue;
            }
            String name = ToolNaming.exported(prefix, t.name());
            if (real.putIfAbsent(name, t.name()) != null) {
                log.warn("Upstream {} lists the tool {} twice; the second is left out", connection.config().name(),
                        t.name());
                continue;
            }
            McpSchema.Tool definition = new McpSchema.Tool(name, t.title(), t.description(), t.inputSchema(),
                    t.outputSchema(), t.annotations(), t.meta(), t.icons());
            String realName = t.name();
            tools.add(new Catalog.Tool(definition, tags, name(), (args, ctx) -> call(realName, args, ctx)));
        }
        List<Catalog.Prompt> prompts = new ArrayList<>();
        for (McpSchema.Prompt p : upstream.prompts()) {
            if (!selected(p.name())) {
                continue;
            }
            String name = ToolNaming.exported(prefix, p.name());
            if (real.putIfAbsent("prompt:" + name, p.name()) != null) {
                continue;
            }
            String realName = p.name();
            prompts.add(new Catalog.Prompt(new McpSchema.Prompt(name, p.title(), p.description(), p.arguments(),
                    p.meta(), p.icons()), tags, Map.of(), name(), (args, ctx) -> rethrown(() ->
                    connection.getPrompt(realName, args, ctx == null ? CallContext.none() : ctx)),
                    (request, ctx) -> rethrown(() -> connection.complete(new McpSchema.CompleteRequest(
                            new McpSchema.PromptReference(realName), request.argument(), request.meta(),
                            request.context()), ctx == null ? CallContext.none() : ctx))));
        }
        List<Catalog.Resource> resources = new ArrayList<>();
        Catalog.Reader reader = (uri, ctx) -> rethrown(() ->
                connection.readResource(uri, ctx == null ? CallContext.none() : ctx));
        for (McpSchema.Resource r : upstream.resources()) {
            if (r.uri() != null) {
                resources.add(new Catalog.Resource(r, null, tags, Map.of(), name(), reader));
            }
        }
        // Templates keep their URI template, so a completion request passes on unchanged.
        Catalog.Completer completer = (request, ctx) -> rethrown(() ->
                connection.complete(request, ctx == null ? CallContext.none() : ctx));
        for (McpSchema.ResourceTemplate t : upstream.templates()) {
            if (t.uriTemplate() != null) {
                resources.add(new Catalog.Resource(null, t, tags, Map.of(), name(), reader, completer));
            }
        }
        return new Exported(List.copyOf(tools), List.copyOf(resources), List.copyOf(prompts), Map.copyOf(real),
                upstream);
    }

    /** Resource reads and prompts answer with JSON-RPC errors: the upstream's own code when it sent one. */
    private static <T> T rethrown(Supplier<T> request) {
        try {
            return request.get();
        } catch (ClientInputPending e) {
            return null; // a 2026-07-28 caller is asked first: its endpoint answers input_required, not this
        } catch (UpstreamCallException e) {
            throw McpError.builder(e.rpcCode() != null ? e.rpcCode() : McpSchema.ErrorCodes.INTERNAL_ERROR)
                    .message(e.getMessage()).build();
        }
    }

    private McpSchema.CallToolResult call(String realName, Map<String, Object> args, CallContext context) {
        try {
            return connection.call(realName, args, context == null ? CallContext.none() : context, null);
        } catch (ClientInputPending e) {
            // The caller's endpoint answers input_required instead (2026-07-28): this result is not sent.
            return ToolResults.error(e.getMessage());
        } catch (UpstreamCallException e) {
            return ToolResults.error(e.getMessage());
        } catch (RuntimeException e) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            log.warn("Calling {} on upstream {} failed [ref {}]", realName, connection.config().name(), ref, e);
            return ToolResults.error("Calling '" + realName + "' on upstream '" + connection.config().name()
                    + "' failed with an internal error (ref " + ref + ").");
        }
    }
}
