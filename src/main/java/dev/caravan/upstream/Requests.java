package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import dev.caravan.tool.ClientInputPending;
import io.modelcontextprotocol.spec.McpError;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Sends one request to an upstream and waits for the first of: its answer, its timeout, the caller's
 * cancellation, or the loss of the connection. On a timeout or the caller's cancellation the upstream is told with
 * {@code notifications/cancelled} (the SDK client has no API for it and does not send it when a request is
 * disposed; {@link RelayingTransport} knows the request's id and sends it). Every way of getting no answer becomes
 * an {@link UpstreamCallException} whose message is fit for the calling agent: no stack trace, no secret.
 */
final class Requests {
    /**
     * How long an answer waits for the progress and log messages of its call to reach the client first. A client
     * that cannot take one in this time is not reading its stream; it gets the answer anyway.
     */
    private static final Duration RELAYED_FIRST = Duration.ofSeconds(5);

    private final String name;
    private final Duration defaultTimeout;
    private final CallRelay relay;
    private final Secrets secrets;
    private final Runnable transportFailed;

    Requests(String name, Duration defaultTimeout, CallRelay relay, Secrets secrets, Runnable transportFailed) {
        this.name = name;
        this.defaultTimeout = defaultTimeout;
        this.relay = relay;
        this.secrets = secrets;
        this.transportFailed = transportFailed;
    }

    /**
     * Sends one request and waits for its answer, the timeout, the caller's cancellation, or the loss of the
     * connection, whichever comes first. {@code what} reads "the call to 'echo'", "reading demo://x", ...
     */
    <C, T> T run(C c, String what, CallContext context, Duration timeout,
                 BiFunction<C, CallRelay.Call, Mono<T>> send) {
        String upstream = "upstream '" + name + "'";
        Duration limit = timeout == null ? defaultTimeout : timeout;
        try (CallRelay.Call call = relay.begin(context)) {
            // The call rides in the Reactor context down to the transport: see RelayingTransport.
            CompletableFuture<T> result = send.apply(c, call).contextWrite(ctx -> ctx.put(CallRelay.KEY, call))
                    .toFuture();
            try {
                CompletableFuture.anyOf(result, context.cancelled(), call.aborted())
                        .get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                call.cancelUpstream("Caravan's call timeout of " + seconds(limit) + " elapsed");
                throw new UpstreamCallException(name, UpstreamCallException.Kind.TIMEOUT, capitalized(what)
                        + " on " + upstream + " got no answer within " + seconds(limit)
                        + " and was abandoned. Try again later or with a smaller request.");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.cancel(true);
                call.cancelUpstream("the request was interrupted");
                throw cancelled(what);
            } catch (ExecutionException e) {
                // the result failed: handled below
            }
            if (result.isDone()) {
                call.flushRelayed(RELAYED_FIRST);
                return answer(what, result);
            }
            result.cancel(true);
            if (!call.aborted().isDone()) {
                call.cancelUpstream("the client cancelled the request");
            }
            if (call.aborted().isDone()) {
                throw new UpstreamCallException(name, UpstreamCallException.Kind.UNAVAILABLE,
                        capitalized(what) + " on " + upstream + " failed: the connection was lost ("
                                + call.aborted().getNow("") + "). Try again later.");
            }
            throw cancelled(what);
        }
    }

    private <T> T answer(String what, CompletableFuture<T> result) {
        try {
            return result.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof ClientInputPending pending) {
                // A 2026-07-28 caller is to be asked first (see UpstreamInputRounds): not a failure of the upstream.
                throw pending;
            }
            if (cause instanceof McpError error) {
                throw new UpstreamCallException(name, UpstreamCallException.Kind.FAILED, "Upstream '"
                        + name + "' rejected " + what + ": "
                        + secrets.redact(String.valueOf(error.getMessage())),
                        error.getJsonRpcError() == null ? null : error.getJsonRpcError().code());
            }
            if (cause instanceof io.modelcontextprotocol.modern.McpException error) {
                // the modern client's JSON-RPC error: the upstream answered, the connection is fine
                throw new UpstreamCallException(name, UpstreamCallException.Kind.FAILED, "Upstream '"
                        + name + "' rejected " + what + ": "
                        + secrets.redact(String.valueOf(error.getMessage())),
                        error.error() == null ? null : error.error().code());
            }
            transportFailed.run();
            throw new UpstreamCallException(name, UpstreamCallException.Kind.FAILED, capitalized(what)
                    + " on upstream '" + name + "' failed: " + FailureReasons.describe(cause, secrets)
                    + ". Try again later.");
        }
    }

    private UpstreamCallException cancelled(String what) {
        return new UpstreamCallException(name, UpstreamCallException.Kind.CANCELLED,
                capitalized(what) + " on upstream '" + name + "' was cancelled.");
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
