package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls in flight on one upstream connection, so that what the upstream says during a call reaches the
 * client that made it, and what that client does reaches the upstream:
 * <ul>
 * <li>progress: each call that carries the caller's progress token goes upstream with a token of our own; the
 * upstream's progress for that token goes to the caller under the caller's token.</li>
 * <li>sampling ({@code sampling/createMessage}) and elicitation ({@code elicitation/create}) requests of the
 * upstream go to the calling client and its answer goes back upstream; log messages go to the calling client.</li>
 * <li>cancellation: a call the caller cancels (or that times out) is cancelled upstream with
 * {@code notifications/cancelled} for the JSON-RPC id the SDK gave it (see {@link RelayingTransport}).</li>
 * </ul>
 * <b>Which call a server-to-client message belongs to.</b> MCP does not tie a server's request or log message to
 * the client request it serves, and the SDK client's handlers do not say which stream carried it. Caravan uses
 * what the transport knows: over Streamable HTTP a message that arrives on a call's own POST response stream (where
 * servers send what belongs to that request; the Java and TypeScript SDKs do) is handled inside that call's Reactor
 * context, so it is routed to exactly that caller however many calls are in flight. A message without that tie (the
 * standalone GET stream, stdio, legacy SSE) is routed only when exactly one call is in flight (it can then only be
 * about that call). With several calls in flight such a sampling or elicitation request is refused with an error
 * that says why, and such a log message is kept in Caravan's log, rather than either reaching the wrong client.
 * (One SDK client per caller would make it exact on every transport, at the price of an upstream session and
 * process per caller; not done.)
 * <p>
 * <b>Where relaying runs.</b> Messages from the upstream arrive on the upstream connection's I/O thread (see
 * {@link UpstreamClientFactory}). Writing to a calling client can block (a client that does not read its stream),
 * so what goes to a client is sent from a worker, per call in arrival order ({@link Call#relay}), and the call's
 * answer waits until that has gone out ({@link Call#flushRelayed}), as a client expects progress before the result.
 */
final class CallRelay {
    private static final Logger log = LoggerFactory.getLogger(CallRelay.class);
    private static final AtomicLong TOKENS = new AtomicLong();
    private static final TypeRef<McpSchema.CreateMessageRequest> SAMPLING = new TypeRef<>() {
    };
    private static final TypeRef<McpSchema.ElicitRequest> ELICITATION = new TypeRef<>() {
    };
    private static final TypeRef<McpSchema.LoggingMessageNotification> LOG = new TypeRef<>() {
    };

    /** The Reactor context key under which a call's request is sent (see {@link RelayingTransport}). */
    static final Class<Call> KEY = Call.class;
    /** Where messages for calling clients are sent from: a bounded pool that may block. */
    private static final Executor RELAYS = task -> Schedulers.boundedElastic().schedule(task);

    private final String upstream;
    private final Map<Call, Boolean> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Call> byToken = new ConcurrentHashMap<>();

    CallRelay(String upstream) {
        this.upstream = upstream;
    }

    /** One call in flight. {@link #aborted()} completes when the connection is lost under it. */
    final class Call implements AutoCloseable {
        final CallContext context;
        final String token;
        private final CompletableFuture<String> aborted = new CompletableFuture<>();
        private volatile Object requestId;
        private volatile RelayingTransport transport;
        // Guarded by this: what was relayed to the client so far, done when it has all been sent.
        private CompletableFuture<Void> relayed = CompletableFuture.completedFuture(null);

        private Call(CallContext context, String token) {
            this.context = context;
            this.token = token;
        }

        CompletableFuture<String> aborted() {
            return aborted;
        }

        /** The SDK sent this call's request with this JSON-RPC id. */
        void sent(Object id, RelayingTransport via) {
            this.requestId = id;
            this.transport = via;
        }

        /**
         * Tells the upstream to stop working on this call ({@code notifications/cancelled}); best effort, and only
         * once the request has been sent. True when the notification went out.
         */
        boolean cancelUpstream(String reason) {
            Object id = requestId;
            RelayingTransport via = transport;
            if (id == null || via == null) {
                return false;
            }
            try {
                via.cancel(id, reason).block(Duration.ofSeconds(2));
                log.debug("Cancelled request {} on upstream {}: {}", id, upstream, reason);
                return true;
            } catch (RuntimeException e) {
                log.debug("Could not cancel request {} on upstream {}: {}", id, upstream, e.toString());
                return false;
            }
        }

        /** A log message of the upstream about this call, to its client (after what was relayed before it). */
        void relayLog(McpSchema.LoggingMessageNotification n) {
            CallRelay.this.relayLog(this, n);
        }

        /** Sends something to the calling client after what was relayed before it, off the caller's thread. */
        synchronized void relay(String what, Runnable send) {
            relayed = relayed.thenRunAsync(() -> {
                try {
                    send.run();
                } catch (RuntimeException e) {
                    log.debug("Could not relay {} from upstream {}: {}", what, upstream, e.toString());
                }
            }, RELAYS);
        }

        /** Waits, at most {@code limit}, until everything relayed to the client so far has been sent. */
        void flushRelayed(Duration limit) {
            CompletableFuture<Void> pending;
            synchronized (this) {
                pending = relayed;
            }
            try {
                pending.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                log.debug("Relaying to the client of a call to upstream {} took over {}; answering anyway", upstream,
                        limit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            inFlight.remove(this);
            if (token != null) {
                byToken.remove(token);
            }
        }
    }

    Call begin(CallContext context) {
        String token = context.client() != null && context.progressToken() != null
                ? "caravan-" + upstream + "-" + TOKENS.incrementAndGet() : null;
        Call call = new Call(context, token);
        inFlight.put(call, Boolean.TRUE);
        if (token != null) {
            byToken.put(token, call);
        }
        return call;
    }

    /** The connection went away: every call in flight ends now instead of waiting for its timeout. */
    void abortAll(String reason) {
        inFlight.keySet().forEach(c -> c.aborted.complete(reason));
    }

    /**
     * A message from the upstream, with the call whose stream carried it (null: unknown). True when it is handled
     * here (sampling, elicitation, a log message of a known call) and must not reach the SDK session.
     */
    boolean intercept(McpSchema.JSONRPCMessage message, Call carrier, RelayingTransport transport) {
        if (message instanceof McpSchema.JSONRPCRequest request
                && (McpSchema.METHOD_SAMPLING_CREATE_MESSAGE.equals(request.method())
                || McpSchema.METHOD_ELICITATION_CREATE.equals(request.method()))) {
            Call call = carrier != null && inFlight.containsKey(carrier) ? carrier : null;
            Mono.fromCallable(() -> answer(request, call, transport))
                    .subscribeOn(Schedulers.boundedElastic())
                    .onErrorResume(e -> Mono.just(McpSchema.JSONRPCResponse.error(request.id(), error(request, e))))
                    .flatMap(transport::send)
                    .subscribe(null, e -> log.debug("Could not answer {} of upstream {}: {}", request.method(),
                            upstream, e.toString()));
            return true;
        }
        if (carrier != null && message instanceof McpSchema.JSONRPCNotification n
                && McpSchema.METHOD_NOTIFICATION_MESSAGE.equals(n.method()) && carrier.context.client() != null) {
            try {
                relayLog(carrier, transport.unmarshalFrom(n.params(), LOG));
            } catch (RuntimeException e) {
                log.debug("Upstream {} sent an unreadable log message: {}", upstream, e.toString());
            }
            return true;
        }
        return false;
    }

    private McpSchema.JSONRPCResponse answer(McpSchema.JSONRPCRequest request, Call carrier,
                                             RelayingTransport transport) {
        boolean sampling = McpSchema.METHOD_SAMPLING_CREATE_MESSAGE.equals(request.method());
        String what = sampling ? "sampling (sampling/createMessage)" : "elicitation (elicitation/create)";
        Call call = carrier != null ? carrier : onlyCall(what);
        McpSyncServerExchange client = call.context.client();
        if (client == null) {
            throw refusal(McpSchema.ErrorCodes.INVALID_REQUEST, "Caravan cannot relay " + what
                    + ": the call in flight on upstream '" + upstream + "' comes from a route, not an MCP client.");
        }
        McpSchema.ClientCapabilities capabilities = client.getClientCapabilities();
        boolean supported = capabilities != null && (sampling ? capabilities.sampling() != null
                : capabilities.elicitation() != null);
        if (!supported) {
            throw refusal(McpSchema.ErrorCodes.METHOD_NOT_FOUND, "The client calling through Caravan does not "
                    + "support " + what + "; Caravan cannot relay this request.");
        }
        Object result = sampling
                ? client.createMessage(transport.unmarshalFrom(request.params(), SAMPLING))
                : client.createElicitation(transport.unmarshalFrom(request.params(), ELICITATION));
        return McpSchema.JSONRPCResponse.result(request.id(), result);
    }

    /** The one call in flight, for a request that came without a tie to one. */
    private Call onlyCall(String what) {
        Call[] calls = inFlight.keySet().toArray(Call[]::new);
        if (calls.length == 1) {
            return calls[0];
        }
        throw refusal(McpSchema.ErrorCodes.INVALID_REQUEST, calls.length == 0
                ? "Caravan cannot relay " + what + ": no call to upstream '" + upstream + "' is in flight, so "
                + "there is no client to ask. Send such requests only while serving a request."
                : "Caravan cannot relay " + what + ": " + calls.length + " calls to upstream '" + upstream
                + "' are in flight and this request did not arrive on a call's own response stream, so it is "
                + "not known which client to ask. Send it on the stream of the request it belongs to.");
    }

    private static McpError refusal(int code, String message) {
        return McpError.builder(code).message(message).build();
    }

    private McpSchema.JSONRPCResponse.JSONRPCError error(McpSchema.JSONRPCRequest request, Throwable e) {
        if (e instanceof McpError mcp && mcp.getJsonRpcError() != null) {
            return mcp.getJsonRpcError();
        }
        log.debug("Relaying {} of upstream {} failed", request.method(), upstream, e);
        return new McpSchema.JSONRPCResponse.JSONRPCError(McpSchema.ErrorCodes.INTERNAL_ERROR,
                "The client calling through Caravan did not answer " + request.method() + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null);
    }

    void progress(McpSchema.ProgressNotification n) {
        Call call = n.progressToken() == null ? null : byToken.get(String.valueOf(n.progressToken()));
        if (call == null) {
            return;
        }
        McpSchema.ProgressNotification relayed = new McpSchema.ProgressNotification(call.context.progressToken(),
                n.progress(), n.total(), n.message(), n.meta());
        call.relay("progress", () -> call.context.client().progressNotification(relayed));
    }

    /** A log message the transport could not tie to a call: relayed only if one call is in flight. */
    void log(McpSchema.LoggingMessageNotification n) {
        var calls = inFlight.keySet().toArray(Call[]::new);
        if (calls.length != 1 || calls[0].context.client() == null) {
            log.debug("upstream {} log ({}) not relayed, {} calls in flight: {}", upstream, n.level(), calls.length,
                    n.data());
            return;
        }
        relayLog(calls[0], n);
    }

    private void relayLog(Call call, McpSchema.LoggingMessageNotification n) {
        McpSchema.LoggingMessageNotification relayed = new McpSchema.LoggingMessageNotification(n.level(),
                n.logger() == null ? upstream : n.logger(), n.data(), n.meta());
        call.relay("a log message", () -> call.context.client().loggingNotification(relayed));
    }

    int inFlight() {
        return inFlight.size();
    }
}
