package dev.caravan.upstream;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.modern.JsonRpc;
import io.modelcontextprotocol.modern.client.transport.McpClientTransport;
import io.modelcontextprotocol.modern.client.transport.McpTransportRequest;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Wraps the modern (2026-07-28) transport of an upstream so that a call made for a client carries what that client
 * can do, and what the upstream tells during the call reaches it:
 * <ul>
 * <li>the request's {@code _meta} declares the calling client's {@code sampling}, {@code roots} and
 * {@code elicitation} capabilities, and asks for log messages ({@code logLevel: debug}; the caller's own side
 * filters them by the level it asked for). The SDK's modern client cannot do either: it derives the declared
 * capabilities from its handlers (form and URL elicitation only) and drops reserved {@code _meta} keys
 * ({@code io.modelcontextprotocol/...}) given as application meta. Caravan answers every input request itself
 * ({@link UpstreamInputRounds}), so the declaration is true;</li>
 * <li>{@code notifications/message} on the call's response stream goes to the calling client (the SDK's client
 * ignores notifications other than progress).</li>
 * </ul>
 * Which call a request belongs to travels in the Reactor context ({@link CallRelay#KEY}), as for the 2025 era
 * ({@link RelayingTransport}); requests outside a call (discover, listings, subscriptions) pass unchanged.
 */
final class ModernRelayingTransport implements McpClientTransport {
    private static final Logger log = LoggerFactory.getLogger(ModernRelayingTransport.class);
    private static final String CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    private static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    private static final Set<String> RELAYED = Set.of("sampling", "roots", "elicitation");
    private static final Set<String> ON_BEHALF = Set.of("tools/call", "prompts/get");
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {
    };

    private final McpClientTransport delegate;
    private final McpJsonMapper json;

    ModernRelayingTransport(McpClientTransport delegate, McpJsonMapper json) {
        this.delegate = delegate;
        this.json = json;
    }

    @Override
    public boolean mirrorsToolParams() {
        return delegate.mirrorsToolParams();
    }

    @Override
    public Flux<JsonRpc.JSONRPCMessage> exchange(McpTransportRequest request) {
        return Flux.deferContextual(ctx -> {
            CallRelay.Call call = ctx.getOrDefault(CallRelay.KEY, null);
            if (call == null || call.context == null || call.context.client() == null
                    || !ON_BEHALF.contains(request.method())) {
                return delegate.exchange(request);
            }
            return delegate.exchange(onBehalf(request, call)).filter(m -> !relayedLog(m, call));
        });
    }

    /** The request with the caller's capabilities and a log level in its {@code _meta}. */
    private McpTransportRequest onBehalf(McpTransportRequest request, CallRelay.Call call) {
        JsonRpc.JSONRPCRequest message = request.message();
        if (!(message.params() instanceof Map<?, ?> original)) {
            return request;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        original.forEach((k, v) -> params.put(String.valueOf(k), v));
        Map<String, Object> meta = new LinkedHashMap<>();
        if (params.get("_meta") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> meta.put(String.valueOf(k), v));
        }
        Map<String, Object> declared = new LinkedHashMap<>();
        if (meta.get(CAPABILITIES) instanceof Map<?, ?> c) {
            c.forEach((k, v) -> declared.put(String.valueOf(k), v));
        }
        McpSchema.ClientCapabilities caller = call.context.client().getClientCapabilities();
        if (caller != null) {
            json.convertValue(caller, MAP).forEach((k, v) -> {
                if (RELAYED.contains(k) && v != null) {
                    declared.put(k, v);
                }
            });
        }
        meta.put(CAPABILITIES, declared);
        meta.putIfAbsent(LOG_LEVEL, "debug");
        params.put("_meta", meta);
        JsonRpc.JSONRPCRequest rewritten = new JsonRpc.JSONRPCRequest(message.jsonrpc(), message.method(),
                message.id(), params);
        McpTransportRequest.Builder b = McpTransportRequest.builder(rewritten, request.protocolVersion())
                .paramHeaders(request.paramHeaders()).roundTimeout(request.roundTimeout());
        if (request.name() != null) {
            b.name(request.name());
        }
        return b.build();
    }

    private boolean relayedLog(JsonRpc.JSONRPCMessage message, CallRelay.Call call) {
        if (!(message instanceof JsonRpc.JSONRPCNotification n)
                || !McpSchema.METHOD_NOTIFICATION_MESSAGE.equals(n.method())) {
            return false;
        }
        try {
            call.relayLog(json.convertValue(n.params(), McpSchema.LoggingMessageNotification.class));
        } catch (RuntimeException e) {
            log.debug("An upstream sent an unreadable log message: {}", e.toString());
        }
        return true;
    }
}
