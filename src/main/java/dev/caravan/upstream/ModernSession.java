package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema.DiscoverResult;
import io.modelcontextprotocol.modern.client.McpAsyncClient;
import io.modelcontextprotocol.modern.client.SubscriptionEvent;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A 2026-07-28 upstream through the SDK's modern client: no initialize and no session; what it offers comes from
 * its discover result and its listings; change notices come from {@code subscriptions/listen}, reopened with
 * backoff whenever the stream is lost (and everything re-listed then, as notices may have been missed). The modern
 * client has its own schema types; results are converted to the 2025 types through JSON (the wire shapes are the
 * same) because the catalogue and the endpoints re-export those.
 * <p>
 * {@code input_required} rounds (elicitation, sampling, roots) are asked of the calling client, in its own era, by
 * {@link UpstreamInputRounds}; the request declares the caller's capabilities and carries its log messages back
 * ({@link ModernRelayingTransport}). Completions are answered empty.
 */
final class ModernSession implements UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(ModernSession.class);
    static final String VERSION = "2026-07-28";
    /** A bound on pages per listing, against an upstream whose cursors never end. */
    private static final int MAX_PAGES = 100;
    private static final TypeRef<List<McpSchema.Tool>> TOOLS = new TypeRef<>() {
    };
    private static final TypeRef<List<McpSchema.Prompt>> PROMPTS = new TypeRef<>() {
    };
    private static final TypeRef<List<McpSchema.Resource>> RESOURCES = new TypeRef<>() {
    };
    private static final TypeRef<List<McpSchema.ResourceTemplate>> TEMPLATES = new TypeRef<>() {
    };
    /** The JSON-RPC error of 2026-07-28 for a request that needs a capability the client did not declare. */
    private static final int MISSING_CLIENT_CAPABILITY = -32021;
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {
    };

    private final String name;
    private final McpAsyncClient client;
    private final io.modelcontextprotocol.modern.McpSchema.ServerCapabilities capabilities;
    private final McpJsonMapper json;
    private final Requests requests;
    private final Secrets secrets;
    private final Duration timeout;
    private final Duration backstop;
    private final Disposable listening;
    private final java.util.function.Consumer<McpSchema.ProgressNotification> progress;
    private final UpstreamInputRounds rounds;

    ModernSession(String name, McpAsyncClient client, DiscoverResult discovered, McpJsonMapper json,
                  UpstreamClientFactory.Hooks hooks, Requests requests, Secrets secrets, Duration connectTimeout,
                  Duration backstop) {
        this.name = name;
        this.client = client;
        this.capabilities = discovered.capabilities();
        this.json = json;
        this.requests = requests;
        this.secrets = secrets;
        this.timeout = connectTimeout;
        this.backstop = backstop;
        this.progress = hooks.progress();
        this.rounds = new UpstreamInputRounds(name, json);
        this.listening = listen(hooks);
    }

    @Override
    public String protocolVersion() {
        return VERSION;
    }

    @Override
    public Listing list() {
        List<McpSchema.Tool> tools = capabilities == null || capabilities.tools() == null ? List.of() : tools();
        Listing resources = relistResources();
        List<McpSchema.Prompt> prompts = capabilities == null || capabilities.prompts() == null ? List.of()
                : optional("prompts/list", this::prompts);
        return Listing.EMPTY.withTools(tools).withResources(resources.resources(), resources.templates())
                .withPrompts(prompts);
    }

    @Override
    public Listing relistResources() {
        if (capabilities == null || capabilities.resources() == null) {
            return Listing.EMPTY;
        }
        return Listing.EMPTY.withResources(
                optional("resources/list", () -> pages(c -> client.resources().cursor(c).list()
                        .map(r -> new Page(r.resources(), r.nextCursor())), RESOURCES)),
                optional("resources/templates/list", () -> pages(c -> client.resourceTemplates().cursor(c).list()
                        .map(r -> new Page(r.resourceTemplates(), r.nextCursor())), TEMPLATES)));
    }

    private List<McpSchema.Tool> tools() {
        return pages(c -> client.tools().cursor(c).list().map(r -> new Page(r.tools(), r.nextCursor())), TOOLS);
    }

    private List<McpSchema.Prompt> prompts() {
        return pages(c -> client.prompts().cursor(c).list().map(r -> new Page(r.prompts(), r.nextCursor())), PROMPTS);
    }

    private record Page(List<?> items, String next) {
    }

    /** Every page of one listing, converted to the 2025 type. */
    private <T> List<T> pages(Function<String, Mono<Page>> page, TypeRef<List<T>> type) {
        List<Object> all = new ArrayList<>();
        String cursor = null;
        for (int i = 0; i < MAX_PAGES; i++) {
            Page p = page.apply(cursor).timeout(timeout).block();
            if (p == null) {
                break;
            }
            if (p.items() != null) {
                all.addAll(p.items());
            }
            cursor = p.next();
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return json.convertValue(all, type);
    }

    private <T> List<T> optional(String what, java.util.function.Supplier<List<T>> list) {
        try {
            return Listing.copy(list.get());
        } catch (RuntimeException e) {
            log.warn("Upstream {}: {} failed, leaving them out: {}", name, what, FailureReasons.describe(e, secrets));
            return List.of();
        }
    }

    /** A real round trip (the discover result may be cached by the client): the first page of tools. */
    @Override
    public void ping() {
        client.tools().list().timeout(timeout).block();
    }

    @Override
    public McpSchema.CallToolResult callTool(String tool, Map<String, Object> arguments, CallContext context,
                                             Duration callTimeout) {
        String what = "the call to '" + tool + "'";
        return requests.run(client, what, context, callTimeout, (c, call) -> {
            McpAsyncClient.ToolSpec first = c.tool(tool).arguments(arguments == null ? Map.of() : arguments)
                    .callTimeout(backstop);
            // The specs are immutable (each option returns a new one).
            McpAsyncClient.ToolSpec spec = call.token == null ? first : first.progress(p -> {
                progress.accept(new McpSchema.ProgressNotification(call.token, p.progress(), p.total(),
                        p.message(), null));
                return Mono.empty();
            });
            return rounds.run(what, context,
                    (answers, state) -> (answers == null ? spec : spec.inputResponses(answers).requestState(state))
                            .callOnce(),
                    outcome -> json.convertValue(outcome, McpSchema.CallToolResult.class),
                    refusal -> McpSchema.CallToolResult.builder().isError(true).addTextContent(refusal).build())
                    .onErrorResume(ModernSession::missingCapability,
                            e -> Mono.just(missingCapability(tool, context, (McpException) e)));
        });
    }

    private static boolean missingCapability(Throwable e) {
        return e instanceof McpException m && m.error() != null && m.error().code() != null
                && m.error().code() == MISSING_CLIENT_CAPABILITY;
    }

    /**
     * The upstream refused the call for a client capability the caller did not declare (Caravan declares the
     * caller's own, see ModernRelayingTransport): a 2026-07-28 caller's request fails with the same error, a 2025
     * caller gets an error result that names it.
     */
    private McpSchema.CallToolResult missingCapability(String tool, CallContext context, McpException e) {
        List<String> names = new ArrayList<>();
        try {
            Map<String, Object> data = json.convertValue(e.error().data(), MAP);
            if (data != null && data.get("requiredCapabilities") instanceof Map<?, ?> required) {
                required.keySet().forEach(k -> names.add(String.valueOf(k)));
            }
        } catch (RuntimeException ignored) {
            // the generic wording below still holds
        }
        if (context != null && context.client() instanceof dev.caravan.tool.KeyedClientInput keyed) {
            names.forEach(keyed::capabilityMissing);
        }
        String needs = names.isEmpty() ? "a client capability" : "the client capability " + String.join(", ", names);
        return McpSchema.CallToolResult.builder().isError(true).addTextContent("Upstream '" + name + "' needs "
                + needs + " for the call to '" + tool + "', and your client did not declare it (or the call comes "
                + "from a route, which has no client to ask). Use a client that supports it.").build();
    }

    @Override
    public McpSchema.ReadResourceResult readResource(String uri, CallContext context) {
        return requests.run(client, "reading " + uri, context, null, (c, call) -> c.resource(uri).read()
                .map(r -> json.convertValue(r, McpSchema.ReadResourceResult.class)));
    }

    @Override
    public McpSchema.GetPromptResult getPrompt(String prompt, Map<String, Object> arguments, CallContext context) {
        Map<String, String> args = new LinkedHashMap<>();
        if (arguments != null) {
            arguments.forEach((k, v) -> args.put(k, v == null ? null : String.valueOf(v)));
        }
        String what = "getting the prompt '" + prompt + "'";
        return requests.run(client, what, context, null, (c, call) -> {
            McpAsyncClient.PromptSpec spec = c.prompt(prompt).arguments(args);
            return rounds.run(what, context,
                    (answers, state) -> (answers == null ? spec : spec.inputResponses(answers).requestState(state))
                            .getOnce(),
                    outcome -> json.convertValue(outcome, McpSchema.GetPromptResult.class),
                    refusal -> {
                        throw McpError.builder(McpSchema.ErrorCodes.INVALID_REQUEST).message(refusal).build();
                    });
        });
    }

    @Override
    public McpSchema.CompleteResult complete(McpSchema.CompleteRequest request, CallContext context) {
        return new McpSchema.CompleteResult(new McpSchema.CompleteResult.CompleteCompletion(List.of(), 0, false));
    }

    /**
     * Listens for list changes; each notice re-lists that list off the I/O thread. A lost stream is reopened
     * with backoff, and a reopened one re-lists everything (notices sent while it was down are gone).
     */
    private Disposable listen(UpstreamClientFactory.Hooks hooks) {
        AtomicBoolean first = new AtomicBoolean(true);
        return client.listen().toolsChanged().promptsChanged().resourcesChanged().events()
                .publishOn(Schedulers.boundedElastic())
                .doOnNext(event -> {
                    try {
                        if (event instanceof SubscriptionEvent.ToolsListChanged) {
                            hooks.toolsChanged().accept(tools());
                        } else if (event instanceof SubscriptionEvent.PromptsListChanged) {
                            hooks.promptsChanged().accept(prompts());
                        } else if (event instanceof SubscriptionEvent.ResourcesListChanged) {
                            hooks.resourcesChanged().run();
                        } else if (event instanceof SubscriptionEvent.Subscribed && !first.compareAndSet(true, false)) {
                            log.debug("Upstream {}: subscriptions/listen reopened; re-listing", name);
                            Listing all = list();
                            hooks.toolsChanged().accept(all.tools());
                            hooks.promptsChanged().accept(all.prompts());
                            hooks.resourcesChanged().run();
                        }
                    } catch (RuntimeException e) {
                        log.warn("Upstream {}: re-listing after a change notice failed: {}", name,
                                FailureReasons.describe(e, secrets));
                    }
                })
                .doOnError(e -> log.debug("Upstream {}: subscriptions/listen lost: {}", name, e.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)))
                .repeatWhen(done -> done.delayElements(Duration.ofSeconds(1)))
                .subscribe();
    }

    @Override
    public void close() {
        listening.dispose();
    }
}
