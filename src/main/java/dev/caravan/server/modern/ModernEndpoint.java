package dev.caravan.server.modern;

import dev.caravan.catalog.Catalog;
import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.tool.ToolResults;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.McpAsyncResponse;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import io.modelcontextprotocol.modern.server.McpServer;
import io.modelcontextprotocol.modern.server.McpSyncResponse;
import io.modelcontextprotocol.modern.server.RequestStateCodec;
import io.modelcontextprotocol.modern.server.feature.McpAsyncTool;
import io.modelcontextprotocol.modern.server.feature.McpAsyncToolRepository;
import io.modelcontextprotocol.modern.server.feature.McpChangeFeed;
import io.modelcontextprotocol.modern.server.feature.McpSyncCompletionHandler;
import io.modelcontextprotocol.modern.server.feature.McpSyncPrompt;
import io.modelcontextprotocol.modern.server.feature.McpSyncPromptRepository;
import io.modelcontextprotocol.modern.server.feature.McpSyncResource;
import io.modelcontextprotocol.modern.server.feature.McpSyncResourceRepository;
import io.modelcontextprotocol.modern.server.feature.McpSyncResourceTemplate;
import io.modelcontextprotocol.modern.server.feature.PromptsFeature;
import io.modelcontextprotocol.modern.server.feature.PromptsPage;
import io.modelcontextprotocol.modern.server.feature.ResourceTemplatesPage;
import io.modelcontextprotocol.modern.server.feature.ResourcesFeature;
import io.modelcontextprotocol.modern.server.feature.ResourcesPage;
import io.modelcontextprotocol.modern.server.feature.ServerChange;
import io.modelcontextprotocol.modern.server.feature.ToolsFeature;
import io.modelcontextprotocol.modern.server.feature.ToolsPage;
import io.modelcontextprotocol.modern.server.transport.HttpServletMcpTransport;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.spec.McpSchema.CompleteRequest;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One endpoint view served on the 2026-07-28 revision (stateless: no initialize, no session) through the SDK's
 * {@code modern} server. It serves the same slice of the catalogue, with the same handlers, as the 2025 server
 * beside it; the slice is read at call time so a reload serves the next request.
 */
public final class ModernEndpoint {
    public static final String VERSION = "2026-07-28";
    private static final Logger log = LoggerFactory.getLogger(ModernEndpoint.class);
    /** Caravan checks arguments itself (ArgumentBinder names the bad argument plainly), as in the 2025 era. */
    private static final JsonSchemaValidator NO_INPUT_CHECK = (schema, value) ->
            JsonSchemaValidator.ValidationResponse.asValid(null);

    /** The features the endpoint view shows now, by tool name, resource key and prompt name. */
    public record Features(Map<String, Catalog.Tool> tools, Map<String, Catalog.Resource> resources,
                           Map<String, Catalog.Prompt> prompts) {
    }

    /**
     * @param codec      seals request state (shared key, see RequestStateKeys)
     * @param listTtlMs  the caching hint on listings; list_changed on subscriptions/listen tells of changes sooner
     * @param keepAlive  how often an open response stream is pinged, which is also how soon a vanished client's
     *                   call is stopped when the route sends nothing; a call that finishes sooner without
     *                   sending anything is answered in one JSON response (see LateStream)
     */
    public record Settings(RequestStateCodec codec, int maxRequestBytes, long listTtlMs, Duration keepAlive) {
    }

    /**
     * Where tool calls run (the dispatcher's hand-off thread waits on their stream meanwhile). Reactor's shared
     * boundedElastic has 10 threads per core, so on a small machine 20 calls to a hung upstream would queue every
     * other call behind them; here the cap is high, and what bounds the calls is the dispatcher's
     * caravan.mcp.max-calls-in-flight.
     */
    private static final Scheduler CALLS = Schedulers.newBoundedElastic(4096, 100_000, new ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        /*
         * Shared by every application in the JVM (tests start many), so a thread must not keep the context class
         * loader of whichever request thread happened to create it: Camel resolves languages and configurers
         * through it, and a stopped web application's loader finds none.
         */
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "modern-tool-call-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(ModernEndpoint.class.getClassLoader());
            return t;
        }
    }, 30);

    private final String name;
    private final Supplier<Features> features;
    private final McpJsonMapper json;
    private final McpChangeFeed changes = new McpChangeFeed();
    private final HttpServletMcpTransport transport;
    private final Duration keepAlive;
    /** By tool name; an entry is replaced when the catalogue hands out a new definition object (a reload). */
    private final Map<String, Converted> definitions = new ConcurrentHashMap<>();

    public ModernEndpoint(String name, String version, Supplier<Features> features, McpJsonMapper json, Settings settings) {
        this.name = name;
        this.features = features;
        this.json = json;
        this.keepAlive = settings.keepAlive();
        McpSchema.CacheScope scope = McpSchema.CacheScope.PRIVATE; // a listing depends on the credential's view
        McpServer server = McpServer.builder()
                .serverInfo(McpSchema.Implementation.builder("caravan/" + name, version).build())
                .jsonMapper(json)
                .requestStateCodec(settings.codec())
                .feature(ToolsFeature.ofAsync(new Tools(), json, NO_INPUT_CHECK, settings.listTtlMs(), scope))
                .feature(ResourcesFeature.ofSync(new Resources(), json, settings.listTtlMs(), scope))
                .feature(PromptsFeature.ofSync(new Prompts(), json, settings.listTtlMs(), scope))
                .subscriptions(changes)
                .discoverCache(settings.listTtlMs(), scope)
                .build();
        this.transport = HttpServletMcpTransport.builder(server).jsonMapper(json).endpoint("/mcp/" + name)
                .contextExtractor(CONTEXT).maxRequestSize(settings.maxRequestBytes())
                // Host and Origin are checked by the dispatcher (OriginGuard) for every era alike.
                .httpHeaderValidator(headers -> { })
                .keepAliveInterval(settings.keepAlive()).build();
    }

    public void serve(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        transport.service(request, response);
    }

    /** Tells subscriptions/listen streams which listings changed. */
    public void changed(boolean tools, boolean resources, boolean prompts) {
        if (tools) {
            changes.broadcast(new ServerChange.ToolsListChanged());
        }
        if (resources) {
            changes.broadcast(new ServerChange.ResourcesListChanged());
        }
        if (prompts) {
            changes.broadcast(new ServerChange.PromptsListChanged());
        }
    }

    public void resourceUpdated(String uri) {
        changes.broadcast(new ServerChange.ResourceUpdated(uri));
    }

    public void close() {
        transport.closeGracefully();
    }

    /**
     * A tool's definition in the 2026 schema, converted once per definition: every call looks its tool up, and a
     * Jackson round trip of the whole definition (schemas included) on each one cost about as much CPU as running
     * the bench's echo route.
     */
    private McpSchema.Tool modern(io.modelcontextprotocol.spec.McpSchema.Tool tool) {
        Converted cached = definitions.get(tool.name());
        if (cached == null || cached.from() != tool) {
            cached = new Converted(tool, json.convertValue(tool, McpSchema.Tool.class));
            definitions.put(tool.name(), cached);
        }
        return cached.to();
    }

    private record Converted(io.modelcontextprotocol.spec.McpSchema.Tool from, McpSchema.Tool to) {
    }

    private final class Tools implements McpAsyncToolRepository {
        @Override
        public Mono<ToolsPage> list(McpRequestContext ctx, String cursor) {
            return Mono.fromSupplier(() -> new ToolsPage(features.get().tools().values().stream()
                    .map(t -> modern(t.definition())).toList(), null, null, null));
        }

        @Override
        public Mono<McpAsyncTool> find(McpRequestContext ctx, String toolName) {
            Catalog.Tool tool = features.get().tools().get(toolName);
            return tool == null ? Mono.empty()
                    : Mono.just(McpAsyncTool.of(modern(tool.definition()), (c, request) -> call(tool, c, request)));
        }

        private Mono<McpAsyncResponse<McpSchema.CallToolOutcome>> call(Catalog.Tool tool, McpRequestContext ctx,
                                                                      McpSchema.CallToolRequest request) {
            InputRounds rounds = InputRounds.open(request.arguments(), request.requestState(), request.inputResponses());
            // Streamed once the route sends progress or log messages or runs past the keep-alive interval, so
            // they reach the caller while it runs; when the client goes away the stream is cancelled and so is
            // the route's exchange. A quick, quiet call is one JSON answer (its error keeps its HTTP status).
            LateStream answer = new LateStream();
            CallContext call = new CallContext(new ModernExchange(ctx, answer, rounds, json), ctx.progressToken(),
                    caller(ctx));
            return answer.respond(Mono.fromCallable(() -> outcome(tool, request, call, rounds))
                    .subscribeOn(CALLS), keepAlive, call::cancel);
        }

        private McpSchema.CallToolOutcome outcome(Catalog.Tool tool, McpSchema.CallToolRequest request,
                                                  CallContext call, InputRounds rounds) {
            io.modelcontextprotocol.spec.McpSchema.CallToolResult result;
            try {
                result = tool.handler().apply(request.arguments(), call);
            } catch (RuntimeException e) {
                String id = UUID.randomUUID().toString();
                log.warn("Tool '{}' on endpoint '{}' failed [{}]", request.name(), name, id, e);
                result = ToolResults.error("Tool '" + request.name() + "' failed unexpectedly (reference " + id + ").");
            }
            refuseMissingCapability(rounds);
            // The route asked the client: the answer comes with the retry, whatever the route made of the stop.
            return rounds.isPending() ? rounds.inputRequired() : json.convertValue(result, McpSchema.CallToolResult.class);
        }
    }

    private final class Resources implements McpSyncResourceRepository {
        @Override
        public ResourcesPage list(McpRequestContext ctx, String cursor) {
            return ResourcesPage.of(features.get().resources().values().stream().filter(r -> r.resource() != null)
                    .map(r -> json.convertValue(r.resource(), McpSchema.Resource.class)).toList());
        }

        @Override
        public ResourceTemplatesPage listTemplates(McpRequestContext ctx, String cursor) {
            return ResourceTemplatesPage.of(features.get().resources().values().stream().filter(r -> r.template() != null)
                    .map(r -> json.convertValue(r.template(), McpSchema.ResourceTemplate.class)).toList());
        }

        @Override
        public McpSyncResource find(McpRequestContext ctx, String uri) {
            Map<String, Catalog.Resource> shown = features.get().resources();
            Catalog.Resource fixed = shown.get(uri);
            Catalog.Resource resource = fixed != null && fixed.resource() != null ? fixed : shown.values().stream()
                    .filter(r -> r.template() != null && matches(r.template().uriTemplate(), uri)).findFirst().orElse(null);
            return resource == null ? null : McpSyncResource.of((c, request) -> {
                var result = resource.reader().read(request.uri(), call(c));
                if (result == null) {
                    throw McpException.invalidParams("Resource not found: " + request.uri(), Map.of("uri", request.uri()));
                }
                return McpSyncResponse.result(json.convertValue(result, McpSchema.ReadResourceResult.class));
            });
        }

        @Override
        public McpSyncResourceTemplate findTemplate(McpRequestContext ctx, String uriTemplate) {
            Catalog.Resource r = features.get().resources().get(uriTemplate);
            return r == null || r.template() == null ? null
                    : McpSyncResourceTemplate.of(json.convertValue(r.template(), McpSchema.ResourceTemplate.class))
                    .withCompletionHandler(completer(() -> features.get().resources().get(uriTemplate),
                            Catalog.Resource::completer, Catalog.Resource::completions));
        }

        @Override
        public boolean supportsSubscribe() {
            return true;
        }

        @Override
        public boolean supportsCompletion() {
            return true;
        }
    }

    private final class Prompts implements McpSyncPromptRepository {
        @Override
        public PromptsPage list(McpRequestContext ctx, String cursor) {
            return PromptsPage.of(features.get().prompts().values().stream()
                    .map(p -> json.convertValue(p.definition(), McpSchema.Prompt.class)).toList());
        }

        @Override
        public McpSyncPrompt find(McpRequestContext ctx, String promptName) {
            Catalog.Prompt prompt = features.get().prompts().get(promptName);
            if (prompt == null) {
                return null;
            }
            return McpSyncPrompt.of(json.convertValue(prompt.definition(), McpSchema.Prompt.class), (c, request) -> {
                Map<String, Object> arguments = request.arguments() == null ? null : new HashMap<>(request.arguments());
                // A prompt's route may ask the client too: the same rounds as a tool's (the SDK binds the state
                // to prompts/get and the prompt's name).
                InputRounds rounds = InputRounds.open(request.arguments(), request.requestState(), request.inputResponses());
                io.modelcontextprotocol.spec.McpSchema.GetPromptResult result;
                try {
                    result = prompt.handler().apply(arguments,
                            new CallContext(new ModernExchange(c, LateStream.NOWHERE, rounds, json), null, caller(c)));
                } catch (RuntimeException e) {
                    refuseMissingCapability(rounds);
                    throw e;
                }
                refuseMissingCapability(rounds);
                return McpSyncResponse.result(rounds.isPending() ? rounds.inputRequired()
                        : json.convertValue(result, McpSchema.GetPromptResult.class));
            }).withCompletionHandler(completer(() -> features.get().prompts().get(promptName),
                    Catalog.Prompt::completer, Catalog.Prompt::completions));
        }

        @Override
        public boolean supportsCompletion() {
            return true;
        }
    }

    private <F> McpSyncCompletionHandler completer(Supplier<F> feature,
                                                   Function<F, Catalog.Completer> completer,
                                                   Function<F, Map<String, List<String>>> fixed) {
        return (ctx, request) -> {
            F now = feature.get();
            CompleteRequest old = json.convertValue(request, CompleteRequest.class);
            io.modelcontextprotocol.spec.McpSchema.CompleteResult result;
            if (now != null && completer.apply(now) != null) {
                result = completer.apply(now).complete(old, call(ctx));
            } else {
                Map<String, List<String>> values = now == null ? Map.of() : fixed.apply(now);
                String prefix = old.argument().value() == null ? "" : old.argument().value();
                List<String> all = values.getOrDefault(old.argument().name(), List.of()).stream()
                        .filter(v -> v.startsWith(prefix)).toList();
                List<String> page = all.size() > 100 ? all.subList(0, 100) : all;
                return new McpSchema.CompleteResult(new McpSchema.CompleteResult.Completion(page, all.size(),
                        all.size() > page.size()), null, null);
            }
            return json.convertValue(result, McpSchema.CompleteResult.class);
        };
    }

    /**
     * The route reached an ask the client did not declare the capability for: the request fails with -32021 and
     * the capabilities in {@code requiredCapabilities}, as the 2026-07-28 revision requires (HTTP 400).
     */
    private void refuseMissingCapability(InputRounds rounds) {
        Set<String> missing = rounds.missingCapabilities();
        if (!missing.isEmpty()) {
            Map<String, Object> required = new TreeMap<>();
            missing.forEach(capability -> required.put(capability, Map.of()));
            throw McpException.missingClientCapability(json.convertValue(required, McpSchema.ClientCapabilities.class));
        }
    }

    /** A call context for features that cannot ask the client in this era (resources, completions). */
    private CallContext call(McpRequestContext ctx) {
        return new CallContext(new ModernExchange(ctx, LateStream.NOWHERE, InputRounds.none(), json), null, caller(ctx));
    }

    private Caller caller(McpRequestContext ctx) {
        Object caller = ctx.transportContext().get(Caller.ATTRIBUTE);
        return caller instanceof Caller c ? c : new Caller(name, null);
    }

    /** RFC 6570 level 1-2 as routes declare them: {x} is one path segment, {+x} anything. */
    static boolean matches(String template, String uri) {
        StringBuilder regex = new StringBuilder();
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            int close = open < 0 ? -1 : template.indexOf('}', open);
            if (open < 0 || close < 0) {
                regex.append(Pattern.quote(template.substring(at)));
                break;
            }
            regex.append(Pattern.quote(template.substring(at, open)));
            regex.append(template.charAt(open + 1) == '+' ? ".+" : "[^/?#]+");
            at = close + 1;
        }
        return Pattern.matches(regex.toString(), uri);
    }

    private static final McpTransportContextExtractor<HttpServletRequest> CONTEXT = request -> {
        Map<String, Object> values = new HashMap<>();
        values.put(CallContext.REQUEST_BASE_URL, request.getScheme() + "://" + request.getServerName() + ":"
                + request.getServerPort() + request.getContextPath());
        Object caller = request.getAttribute(Caller.ATTRIBUTE);
        if (caller != null) {
            values.put(Caller.ATTRIBUTE, caller);
        }
        return McpTransportContext.create(values);
    };
}
