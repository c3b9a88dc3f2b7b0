package dev.caravan.server.modern;

import io.modelcontextprotocol.modern.server.McpAsyncNotifier;
import io.modelcontextprotocol.modern.server.McpAsyncResponse;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The answer to one call whose route may or may not send notifications: a plain JSON response when the route
 * finishes within {@code patience} without sending anything, an event stream as soon as it sends a progress or
 * log message or runs longer. Why not always stream: an error such as -32021 (a capability the client did not
 * declare) must carry HTTP 400, which a stream that has already started with 200 can no longer say. Past
 * {@code patience} the stream starts, so its keep-alive pings notice a client that went away, as before.
 * <p>
 * It is the route's notifier too: a notification sent before the stream exists waits until the stream is open.
 */
final class LateStream implements McpAsyncNotifier {
    /** Where notifications go when there is no stream to carry them (or the call was cancelled before it opened). */
    static final McpAsyncNotifier NOWHERE = new McpAsyncNotifier() {
        @Override
        public Mono<Void> progress(double progress, Double total, String message) {
            return Mono.empty();
        }

        @Override
        public Mono<Void> notify(String method, Object params) {
            return Mono.empty();
        }
    };

    private final Sinks.One<Boolean> wantsStream = Sinks.one();
    private final CompletableFuture<McpAsyncNotifier> stream = new CompletableFuture<>();

    @Override
    public Mono<Void> progress(double progress, Double total, String message) {
        return open().flatMap(n -> n.progress(progress, total, message));
    }

    @Override
    public Mono<Void> notify(String method, Object params) {
        return open().flatMap(n -> n.notify(method, params));
    }

    private Mono<McpAsyncNotifier> open() {
        return Mono.defer(() -> {
            wantsStream.tryEmitValue(Boolean.TRUE);
            return Mono.fromFuture(stream, true);
        });
    }

    /**
     * Runs {@code work} once (on subscription) and answers with its outcome, as a result or as a stream.
     * {@code onCancel} runs when the client goes away or the answer is no longer wanted.
     */
    <O> Mono<McpAsyncResponse<O>> respond(Mono<O> work, Duration patience, Runnable onCancel) {
        return Mono.defer(() -> {
            CompletableFuture<O> done = work.toFuture();
            Runnable cancel = () -> {
                stream.complete(NOWHERE);
                onCancel.run();
            };
            Mono<McpAsyncResponse<O>> quick = Mono.fromFuture(done, true).map(McpAsyncResponse::result);
            Mono<McpAsyncResponse<O>> streamed = Mono.firstWithSignal(wantsStream.asMono(), Mono.delay(patience).map(t -> true))
                    .map(go -> McpAsyncResponse.streaming(notifier -> {
                        stream.complete(notifier);
                        return Mono.fromFuture(done, true).doOnCancel(cancel);
                    }));
            return Mono.firstWithSignal(quick, streamed).doOnCancel(cancel);
        });
    }
}
