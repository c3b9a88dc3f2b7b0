package dev.caravan.upstream;

import io.modelcontextprotocol.client.transport.customizer.McpHttpClientAuthorizationErrorHandler;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives the legacy SSE transport what the SDK's Streamable HTTP transport has built in: after a 401 (or 403) on
 * the SSE stream or on a POSTed message, the upstream's {@link UpstreamAuth#onAuthorizationError()} may refresh the
 * credentials, and the request is sent once more. The SDK's SSE transport takes no such handler and reports the
 * status only inside its exception message ({@code "... non-OK HTTP code: 401 - ..."}, {@code "Failed to connect
 * to SSE stream: 401"}), so the status is read from there; should the SDK reword it, the wrapper simply stops
 * retrying (the health check and reconnection still recover, later). A refused stream is opened again on a fresh
 * SDK transport: the refused one clears its subscription slot only after reporting the error, and would dispose a
 * stream reopened on it.
 */
final class SseAuthRetry extends ForwardingTransport {
    private static final Pattern STATUS = Pattern.compile("(?:non-OK HTTP code: |SSE stream: )(\\d{3})");

    private final Supplier<McpClientTransport> transports;
    private final McpHttpClientAuthorizationErrorHandler handler;
    private volatile McpClientTransport delegate;
    private volatile Consumer<Throwable> exceptionHandler;
    private final Sinks.One<McpClientTransport> connected = Sinks.one();

    /** @param transports makes the SDK transport (again, when a refused stream is reopened) */
    SseAuthRetry(Supplier<McpClientTransport> transports, McpHttpClientAuthorizationErrorHandler handler) {
        this.transports = transports;
        this.handler = handler;
        this.delegate = transports.get();
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> messages) {
        return retried(delegate.connect(messages), () -> {
            McpClientTransport refused = delegate;
            McpClientTransport fresh = transports.get();
            if (exceptionHandler != null) {
                fresh.setExceptionHandler(exceptionHandler);
            }
            delegate = fresh;
            refused.close();
            return fresh.connect(messages);
        }).doOnSuccess(v -> connected.tryEmitValue(delegate)).doOnError(connected::tryEmitError);
    }

    /** Sent once the stream is open, on the transport that opened it (which a refused stream replaces). */
    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return connected.asMono().flatMap(via -> retried(via.sendMessage(message), () -> via.sendMessage(message)));
    }

    private Mono<Void> retried(Mono<Void> request, Supplier<Mono<Void>> again) {
        return request.onErrorResume(e -> {
            Integer status = authorizationStatus(e);
            if (status == null) {
                return Mono.error(e);
            }
            return Mono.from(handler.handle(new Status(status), McpTransportContext.EMPTY))
                    .defaultIfEmpty(false)
                    .flatMap(retry -> retry ? Mono.defer(again) : Mono.error(e));
        });
    }

    /** 401 or 403 when the failure is the SSE transport's report of one; else null. */
    static Integer authorizationStatus(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof McpTransportException && t.getMessage() != null) {
                Matcher m = STATUS.matcher(t.getMessage());
                if (m.find()) {
                    int status = Integer.parseInt(m.group(1));
                    return status == 401 || status == 403 ? status : null;
                }
            }
        }
        return null;
    }

    /** What the handler is told of the refused response: its status (the SSE transport keeps the headers). */
    private record Status(int statusCode) implements HttpResponse.ResponseInfo {
        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    @Override
    protected McpClientTransport delegate() {
        return delegate;
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        exceptionHandler = handler;
        delegate.setExceptionHandler(handler);
    }
}
