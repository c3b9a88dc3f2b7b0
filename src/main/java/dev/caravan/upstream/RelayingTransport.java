package dev.caravan.upstream;

import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.function.Function;

/**
 * Wraps the SDK transport of an upstream so that Caravan sees, per call in flight, what the SDK client hides:
 * <ul>
 * <li>the JSON-RPC id the SDK gave the call's request (read from the outgoing message), so a cancellation can be
 * forwarded upstream as {@code notifications/cancelled};</li>
 * <li>which call a server-to-client message belongs to, when the transport can tell: the Streamable HTTP
 * transport hands messages that arrive on a POST's own SSE response stream to the handler inside that POST's
 * Reactor context, which carries the {@link CallRelay.Call} (see {@link CallRelay#KEY}). Messages on the
 * standalone GET stream, and every message over stdio and legacy SSE, arrive without one.</li>
 * </ul>
 * Sampling and elicitation requests, and log messages tied to a call, are taken out here and handled by the
 * {@link CallRelay}; everything else goes to the SDK session unchanged.
 */
final class RelayingTransport extends ForwardingTransport {
    private final McpClientTransport delegate;
    private final CallRelay relay;

    RelayingTransport(McpClientTransport delegate, CallRelay relay) {
        this.delegate = delegate;
        this.relay = relay;
    }

    @Override
    protected McpClientTransport delegate() {
        return delegate;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return delegate.connect(incoming -> Mono.deferContextual(ctx -> {
            CallRelay.Call call = ctx.getOrDefault(CallRelay.KEY, null);
            return handler.apply(incoming.filter(message -> !relay.intercept(message, call, this)));
        }));
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (!(message instanceof McpSchema.JSONRPCRequest request)) {
            return delegate.sendMessage(message);
        }
        if (McpSchema.METHOD_INITIALIZE.equals(request.method())) {
            // A re-initialization can run inside a call (the SDK initializes lazily); the Streamable HTTP transport
            // opens its standalone GET stream in the context of the initialize request, and that stream must not
            // look like the call's own.
            return delegate.sendMessage(message).contextWrite(ctx -> ctx.delete(CallRelay.KEY));
        }
        return Mono.deferContextual(ctx -> {
            CallRelay.Call call = ctx.getOrDefault(CallRelay.KEY, null);
            if (call != null) {
                call.sent(request.id(), this);
            }
            return delegate.sendMessage(message);
        });
    }

    /** Sends a message past the interception (answers to relayed requests, cancellations). */
    Mono<Void> send(McpSchema.JSONRPCMessage message) {
        return delegate.sendMessage(message);
    }

    /** {@code notifications/cancelled} for a request of ours. */
    Mono<Void> cancel(Object requestId, String reason) {
        return delegate.sendMessage(new McpSchema.JSONRPCNotification("notifications/cancelled", Map.of("requestId", requestId, "reason", reason)));
    }
}
