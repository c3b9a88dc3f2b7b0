package dev.caravan.server.modern;

import dev.caravan.tool.KeyedClientInput;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.modern.server.McpAsyncNotifier;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calling client as routes see it ({@code CallContext.client()}), for a 2026-07-28 request. Routes and
 * connectors keep using the 2025 exchange's methods: progress and log messages go out on the request's own
 * response stream; elicitation, sampling and roots are answered from the request state or become the next
 * {@code input_required} round (see {@link InputRounds}).
 */
final class ModernExchange extends McpSyncServerExchange implements KeyedClientInput {
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {
    };
    /**
     * The 2025 form of each set of capabilities clients declared (a client sends the same set on every request):
     * two Jackson conversions per call were 2.6 % of a node's CPU samples under 2026-07-28 load. Both records are
     * immutable values; the map is bounded, since the sets come from clients.
     */
    private static final Map<io.modelcontextprotocol.modern.McpSchema.ClientCapabilities, McpSchema.ClientCapabilities>
            KNOWN_CAPABILITIES = new ConcurrentHashMap<>();
    private static final int MAX_KNOWN_CAPABILITIES = 256;

    private final McpRequestContext ctx;
    private final McpAsyncNotifier notifier;
    private final InputRounds rounds;
    private final McpJsonMapper json;
    private volatile McpSchema.ClientCapabilities capabilities;

    ModernExchange(McpRequestContext ctx, McpAsyncNotifier notifier, InputRounds rounds, McpJsonMapper json) {
        super(null);
        this.ctx = ctx;
        this.notifier = notifier;
        this.rounds = rounds;
        this.json = json;
    }

    @Override
    public String sessionId() {
        return null;
    }

    @Override
    public McpSchema.ClientCapabilities getClientCapabilities() {
        // Read once per call (every route call asks, for its CaravanClientCapabilities header; each ask again).
        McpSchema.ClientCapabilities known = capabilities;
        if (known == null) {
            io.modelcontextprotocol.modern.McpSchema.ClientCapabilities sent = ctx.clientCapabilities();
            known = sent == null ? older(null) : KNOWN_CAPABILITIES.get(sent);
            if (known == null) {
                known = older(sent);
                if (KNOWN_CAPABILITIES.size() >= MAX_KNOWN_CAPABILITIES) {
                    KNOWN_CAPABILITIES.clear(); // a bound, not an eviction policy: clients send few distinct sets
                }
                KNOWN_CAPABILITIES.put(sent, known);
            }
            capabilities = known;
        }
        return known;
    }

    /** Only what the 2025 record knows: 2026 adds fields (extensions) the routes' checks do not use. */
    private McpSchema.ClientCapabilities older(io.modelcontextprotocol.modern.McpSchema.ClientCapabilities sent) {
        Map<String, Object> declared = new LinkedHashMap<>(sent == null ? Map.of() : json.convertValue(sent, MAP));
        declared.keySet().retainAll(Set.of("experimental", "roots", "sampling", "elicitation"));
        return json.convertValue(declared, McpSchema.ClientCapabilities.class);
    }

    @Override
    public McpSchema.Implementation getClientInfo() {
        return ctx.clientInfo() == null ? null : json.convertValue(ctx.clientInfo(), McpSchema.Implementation.class);
    }

    @Override
    public McpTransportContext transportContext() {
        return ctx.transportContext();
    }

    @Override
    public McpSchema.CreateMessageResult createMessage(McpSchema.CreateMessageRequest request) {
        return createMessage(null, request);
    }

    @Override
    public McpSchema.CreateMessageResult createMessage(String key, McpSchema.CreateMessageRequest request) {
        return ask(key, McpSchema.METHOD_SAMPLING_CREATE_MESSAGE, params(request), McpSchema.CreateMessageResult.class);
    }

    @Override
    public McpSchema.ElicitResult createElicitation(McpSchema.ElicitRequest request) {
        return createElicitation(null, request);
    }

    @Override
    public McpSchema.ElicitResult createElicitation(String key, McpSchema.ElicitRequest request) {
        return ask(key, McpSchema.METHOD_ELICITATION_CREATE, params(request), McpSchema.ElicitResult.class);
    }

    @Override
    public McpSchema.ListRootsResult listRoots() {
        return listRootsUnder(null);
    }

    @Override
    public McpSchema.ListRootsResult listRoots(String cursor) {
        return listRootsUnder(null); // one answer holds all roots: there are no pages to ask for
    }

    @Override
    public McpSchema.ListRootsResult listRootsUnder(String key) {
        return ask(key, McpSchema.METHOD_ROOTS_LIST, Map.of(), McpSchema.ListRootsResult.class);
    }

    @Override
    public void capabilityMissing(String capability) {
        rounds.capabilityMissing(capability);
    }

    @Override
    public void together(Runnable asks) {
        rounds.together(asks);
    }


    @Override
    public void loggingNotification(McpSchema.LoggingMessageNotification message) {
        // 2026-07-28: log messages go only to a request that asked for them with a lowest level in _meta.
        Object wanted = ctx.meta().get(io.modelcontextprotocol.modern.McpSchema.MetaKeys.LOG_LEVEL);
        McpSchema.LoggingLevel floor = wanted instanceof String s ? McpSchema.LoggingLevel.fromValue(s) : null;
        if (floor == null || message.level().level() < floor.level()) {
            return;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("level", message.level().name().toLowerCase());
        if (message.logger() != null) {
            params.put("logger", message.logger());
        }
        params.put("data", message.data());
        notifier.notify(McpSchema.METHOD_NOTIFICATION_MESSAGE, params).block();
    }

    @Override
    public void progressNotification(McpSchema.ProgressNotification progress) {
        notifier.progress(progress.progress(), progress.total(), progress.message()).block();
    }

    @Override
    public Object ping() {
        return Map.of();
    }

    /** The client's answer to a server-to-client request, read as {@code type}. */
    private <T> T ask(String key, String method, Map<String, Object> params, Class<T> type) {
        return json.convertValue(rounds.answer(key, method, params), type);
    }

    private Map<String, Object> params(Object request) {
        Map<String, Object> params = new LinkedHashMap<>(json.convertValue(request, MAP));
        params.values().removeIf(Objects::isNull);
        return params;
    }
}
