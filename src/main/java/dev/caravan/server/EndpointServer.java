package dev.caravan.server;

import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.server.modern.ModernEndpoint;
import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.tool.ToolResults;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.server.transport.HttpServletSseServerTransportProvider;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One published endpoint, as seen by credentials holding one set of workspace operations (see {@link EndpointViews}):
 * its slice of the catalogue served through the SDK on both transports (Streamable HTTP
 * at {@code /mcp/NAME}, legacy HTTP+SSE at {@code /sse/NAME}). Tools are added and removed as the catalogue
 * changes; handlers look the feature up at call time so a reloaded route serves the next call.
 */
final class EndpointServer {
    private static final Logger log = LoggerFactory.getLogger(EndpointServer.class);
    static final String CALL_KEY = "caravan.callKey";

    private final String name;
    private final Catalog catalog;
    private final CallRegistry calls;
    private final McpJsonMapper json;
    private final McpServerProperties.Mcp settings;
    private volatile ToolSelector selector;
    /** Workspace operations the credentials served here hold: features tagged for others are left out. */
    private final Set<WorkspaceScopes.Operation> operations;

    private volatile Slice slice = new Slice(Map.of(), Map.of(), Map.of());
    private final Sdk streamable;
    private volatile Sdk sse;
    /** The 2026-07-28 server: stateless, so one per view is all it needs, and nothing to reset. */
    private final ModernEndpoint modern;

    /** The features of the catalogue this endpoint shows, by tool name, resource key and prompt name. */
    private record Slice(Map<String, Catalog.Tool> tools, Map<String, Catalog.Resource> resources,
                         Map<String, Catalog.Prompt> prompts) {
    }

    EndpointServer(String name, ToolSelector selector, Set<WorkspaceScopes.Operation> operations,
                   Catalog catalog, CallRegistry calls, McpJsonMapper json, McpServerProperties.Mcp settings,
                   ModernEndpoint.Settings modernSettings) {
        this.name = name;
        this.selector = selector;
        this.operations = Set.copyOf(operations);
        this.catalog = catalog;
        this.calls = calls;
        this.json = json;
        this.settings = settings;
        this.slice = select();
        this.streamable = newStreamable();
        this.sse = newSse();
        this.modern = new ModernEndpoint(name, Version.CURRENT,
                () -> new ModernEndpoint.Features(slice.tools, slice.resources, slice.prompts), json, modernSettings);
    }

    String name() {
        return name;
    }

    ToolSelector selector() {
        return selector;
    }

    /** Whether this view shows a tool of that name (asked on every tools/call, so no list is built). */
    boolean showsTool(String name) {
        return slice.tools.containsKey(name);
    }

    List<String> toolNames() {
        return slice.tools.keySet().stream().sorted().toList();
    }

    void select(ToolSelector selector) {
        this.selector = selector;
        sync();
    }

    /** Brings both SDK servers in line with the catalogue; they send list_changed for what changed. */
    synchronized void sync() {
        Slice before = slice;
        slice = select();
        streamable.sync(slice);
        sse.sync(slice);
        modern.changed(!definitions(before.tools).equals(definitions(slice.tools)),
                !definitions(before.resources).equals(definitions(slice.resources)),
                !definitions(before.prompts).equals(definitions(slice.prompts)));
    }

    /** What a listing shows of a feature, to tell whether a sync changed it. */
    private static Map<String, Object> definitions(Map<String, ?> features) {
        Map<String, Object> out = new HashMap<>();
        features.forEach((key, f) -> out.put(key, f instanceof Catalog.Tool t ? t.definition()
                : f instanceof Catalog.Prompt p ? p.definition()
                : f instanceof Catalog.Resource r ? (r.resource() != null ? r.resource() : r.template()) : f));
        return out;
    }

    void resourceUpdated(String uri) {
        boolean shown = slice.resources.values().stream().anyMatch(r -> r.resource() != null
                ? r.resource().uri().equals(uri) : r.reader() != null && matchesTemplate(r, uri));
        if (shown) {
            McpSchema.ResourcesUpdatedNotification n = new McpSchema.ResourcesUpdatedNotification(uri);
            streamable.server.notifyResourcesUpdated(n);
            sse.server.notifyResourcesUpdated(n);
            modern.resourceUpdated(uri);
        }
    }

    private static boolean matchesTemplate(Catalog.Resource r, String uri) {
        String template = r.template().uriTemplate();
        int brace = template.indexOf('{');
        return uri.startsWith(brace < 0 ? template : template.substring(0, brace));
    }

    /** Drops every legacy SSE session: they authenticated once, so a credential change must end them. */
    synchronized void resetSseSessions() {
        Sdk old = sse;
        sse = newSse();
        old.server.close();
    }

    void serveStreamable(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        streamable.transport.service(request, response);
    }

    /** A 2026-07-28 request (see {@link ModernEra}). */
    void serveModern(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        modern.serve(request, response);
    }

    void serveSse(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        sse.transport.service(request, response);
    }

    void close() {
        streamable.server.close();
        sse.server.close();
        modern.close();
    }

    private Slice select() {
        Map<String, Catalog.Tool> tools = new LinkedHashMap<>();
        catalog.tools().stream().filter(t -> shows(t.definition().name(), t.tags()))
                .forEach(t -> tools.put(t.definition().name(), t));
        Map<String, Catalog.Resource> resources = new LinkedHashMap<>();
        catalog.resources().stream().filter(r -> shows(r.name(), r.tags()))
                .forEach(r -> resources.put(r.key(), r));
        Map<String, Catalog.Prompt> prompts = new LinkedHashMap<>();
        catalog.prompts().stream().filter(p -> shows(p.definition().name(), p.tags()))
                .forEach(p -> prompts.put(p.definition().name(), p));
        return new Slice(tools, resources, prompts);
    }

    private Sdk newStreamable() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(json).mcpEndpoint("/mcp/" + name).contextExtractor(CONTEXT)
                .maxRequestSize(settings.getMaxRequestBytes()).build();
        return new Sdk(transport, configure(McpServer.sync(transport)).build());
    }

    private Sdk newSse() {
        HttpServletSseServerTransportProvider transport = HttpServletSseServerTransportProvider.builder()
                .jsonMapper(json).sseEndpoint("/sse/" + name).messageEndpoint("/sse/" + name + "/message")
                .contextExtractor(CONTEXT).maxRequestSize(settings.getMaxRequestBytes()).build();
        return new Sdk(transport, configure(McpServer.sync(transport)).build());
    }

    private <S extends McpServer.SyncSpecification<S>> McpServer.SyncSpecification<S> configure(
            McpServer.SyncSpecification<S> spec) {
        return spec.serverInfo("caravan/" + name, Version.CURRENT)
                // The SDK's default (about 10 s) would cut off an elicitation a person is still answering.
                .requestTimeout(settings.getClientRequestTimeout())
                .jsonMapper(json)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).resources(true, true).prompts(true)
                        .logging().completions().build())
                // Arguments are checked by the tool's ArgumentBinder, whose errors name the argument plainly.
                .validateToolInputs(false)
                // Run handlers on the request's own thread: the SDK's shared pool would cap concurrent calls.
                .immediateExecution(true)
                .completions(completions());
    }

    /** Completion handlers for the prompts and templates known now; the SDK takes them only at build time. */
    private List<McpServerFeatures.SyncCompletionSpecification> completions() {
        List<McpServerFeatures.SyncCompletionSpecification> out = new ArrayList<>();
        for (Catalog.Prompt p : catalog.prompts()) {
            String key = p.definition().name();
            out.add(new McpServerFeatures.SyncCompletionSpecification(new McpSchema.PromptReference(key),
                    (ex, req) -> {
                        Catalog.Prompt now = slice.prompts.get(key);
                        return now == null ? complete(Map.of(), req) : now.completer() != null
                                ? now.completer().complete(req, call(ex, null))
                                : complete(now.completions(), req);
                    }));
        }
        for (Catalog.Resource r : catalog.resources()) {
            if (r.template() != null) {
                String key = r.template().uriTemplate();
                out.add(new McpServerFeatures.SyncCompletionSpecification(new McpSchema.ResourceReference(key),
                        (ex, req) -> {
                            Catalog.Resource now = slice.resources.get(key);
                            return now == null ? complete(Map.of(), req) : now.completer() != null
                                    ? now.completer().complete(req, call(ex, null))
                                    : complete(now.completions(), req);
                        }));
            }
        }
        return out;
    }

    private boolean shows(String featureName, Set<String> tags) {
        return selector.matches(featureName, tags) && WorkspaceScopes.shows(tags, operations);
    }

    private static McpSchema.CompleteResult complete(Map<String, List<String>> completions, McpSchema.CompleteRequest req) {
        String prefix = req.argument().value() == null ? "" : req.argument().value();
        List<String> values = completions.getOrDefault(req.argument().name(), List.of()).stream()
                .filter(v -> v.startsWith(prefix)).toList();
        List<String> page = values.size() > 100 ? values.subList(0, 100) : values;
        return new McpSchema.CompleteResult(new McpSchema.CompleteResult.CompleteCompletion(page, values.size(),
                values.size() > page.size()));
    }

    private McpSchema.CallToolResult callTool(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        Catalog.Tool tool = slice.tools.get(request.name());
        if (tool == null) {
            return ToolResults.error("Tool '" + request.name() + "' is no longer published on this endpoint; "
                    + "list the tools again.");
        }
        CallContext call = call(exchange, request.progressToken());
        long start = System.nanoTime();
        String outcome = "error";
        try (AutoCloseable ignored = calls.register(callKey(exchange), call)) {
            McpSchema.CallToolResult result = tool.handler().apply(request.arguments(), call);
            outcome = call.cancelled().isDone() ? "cancelled"
                    : Boolean.TRUE.equals(result.isError()) ? "tool_error" : "ok";
            return result;
        } catch (Exception e) {
            return ToolResults.error("Tool '" + request.name() + "' failed unexpectedly.");
        } finally {
            calls.toolCallFinished(name, request.name(), outcome, System.nanoTime() - start);
        }
    }

    private McpSchema.ReadResourceResult readResource(String key, McpSyncServerExchange exchange,
                                                      McpSchema.ReadResourceRequest request) {
        Catalog.Resource resource = slice.resources.get(key);
        McpSchema.ReadResourceResult result = resource == null ? null
                : resource.reader().read(request.uri(), call(exchange, request.progressToken()));
        if (result == null) {
            throw McpError.builder(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND)
                    .message("Resource not found: " + request.uri()).build();
        }
        return result;
    }

    private McpSchema.GetPromptResult getPrompt(McpSyncServerExchange exchange, McpSchema.GetPromptRequest request) {
        Catalog.Prompt prompt = slice.prompts.get(request.name());
        if (prompt == null) {
            throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                    .message("Prompt not found: " + request.name()).build();
        }
        return prompt.handler().apply(request.arguments(), call(exchange, request.progressToken()));
    }

    /** The call's context, with the caller the dispatcher authenticated for this request. */
    private CallContext call(McpSyncServerExchange exchange, Object progressToken) {
        return new CallContext(exchange, progressToken, caller(exchange.transportContext(), name));
    }

    /**
     * The caller the dispatcher left in the transport context. Every request it passes on carries one, so a request
     * without is a bug: it fails closed, with an internal error whose reference finds the log line, never as a
     * caller with every scope.
     */
    static Caller caller(McpTransportContext context, String endpoint) {
        Object caller = context == null ? null : context.get(Caller.ATTRIBUTE);
        if (caller instanceof Caller c) {
            return c;
        }
        String ref = UUID.randomUUID().toString().substring(0, 8);
        log.error("An MCP request on endpoint '{}' carries no authenticated caller; refused [ref {}]", endpoint, ref);
        throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR).message("Internal error (ref " + ref + "): the "
                + "request could not be attributed to a credential, so nothing was done. The details are in the "
                + "server log.").build();
    }

    private static String callKey(McpSyncServerExchange exchange) {
        McpTransportContext context = exchange.transportContext();
        return context == null ? null : (String) context.get(CALL_KEY);
    }

    private static final McpTransportContextExtractor<HttpServletRequest> CONTEXT = request -> {
        Map<String, Object> values = new HashMap<>();
        values.put(CallContext.REQUEST_BASE_URL, request.getScheme() + "://" + request.getServerName() + ":"
                + request.getServerPort() + request.getContextPath());
        Object key = request.getAttribute(CALL_KEY);
        if (key != null) {
            values.put(CALL_KEY, key);
        }
        Object caller = request.getAttribute(Caller.ATTRIBUTE);
        if (caller != null) {
            values.put(Caller.ATTRIBUTE, caller);
        }
        return McpTransportContext.create(values);
    };

    /** One SDK server with its transport, and the definitions it currently publishes. */
    private final class Sdk {
        final HttpServlet transport;
        final McpSyncServer server;
        final Map<String, Object> published = new HashMap<>();

        Sdk(HttpServlet transport, McpSyncServer server) {
            this.transport = transport;
            this.server = server;
            sync(slice);
        }

        void sync(Slice target) {
            Map<String, Object> wanted = new HashMap<>();
            target.tools.forEach((n, t) -> wanted.put("tool:" + n, t.definition()));
            target.resources.forEach((k, r) -> wanted.put((r.resource() != null ? "resource:" : "template:") + k,
                    r.resource() != null ? r.resource() : r.template()));
            target.prompts.forEach((n, p) -> wanted.put("prompt:" + n, p.definition()));

            for (var entry : List.copyOf(published.entrySet())) {
                if (!Objects.equals(wanted.get(entry.getKey()), entry.getValue())) {
                    remove(entry.getKey());
                    published.remove(entry.getKey());
                }
            }
            wanted.forEach((key, definition) -> {
                if (!published.containsKey(key)) {
                    add(key, definition);
                    published.put(key, definition);
                }
            });
        }

        private void add(String key, Object definition) {
            String id = key.substring(key.indexOf(':') + 1);
            if (definition instanceof McpSchema.Tool tool) {
                server.addTool(McpServerFeatures.SyncToolSpecification.builder().tool(tool)
                        .callHandler(EndpointServer.this::callTool).build());
            } else if (definition instanceof McpSchema.Resource resource) {
                server.addResource(new McpServerFeatures.SyncResourceSpecification(resource,
                        (ex, req) -> readResource(id, ex, req)));
            } else if (definition instanceof McpSchema.ResourceTemplate template) {
                server.addResourceTemplate(new McpServerFeatures.SyncResourceTemplateSpecification(template,
                        (ex, req) -> readResource(id, ex, req)));
            } else if (definition instanceof McpSchema.Prompt prompt) {
                server.addPrompt(new McpServerFeatures.SyncPromptSpecification(prompt, EndpointServer.this::getPrompt));
            }
        }

        private void remove(String key) {
            String id = key.substring(key.indexOf(':') + 1);
            switch (key.substring(0, key.indexOf(':'))) {
                case "tool" -> server.removeTool(id);
                case "resource" -> server.removeResource(id);
                case "template" -> server.removeResourceTemplate(id);
                case "prompt" -> server.removePrompt(id);
                default -> throw new IllegalStateException(key);
            }
        }
    }
}
