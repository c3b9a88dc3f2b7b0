package dev.caravan.upstream;

import io.modelcontextprotocol.client.transport.customizer.McpAsyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.client.transport.customizer.McpHttpClientAuthorizationErrorHandler;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.modern.client.transport.McpHttpAuthorizationErrorHandler;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequest;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import io.modelcontextprotocol.modern.client.transport.McpHttpResponseInfo;
import reactor.core.publisher.Mono;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * {@link UpstreamAuth} (written against the SDK's 2025 transport hooks) on the modern transport's hooks, so that
 * headers, bearer tokens and OAuth (its current token, and its refresh-and-retry on 401) work in both eras without
 * a second implementation. The 2025 customizer sets headers on an {@link HttpRequest.Builder}; here it customizes
 * a scratch builder whose headers are then copied onto the modern request.
 */
final class ModernAuth {
    private ModernAuth() {
    }

    static McpHttpRequestCustomizer customizer(UpstreamAuth auth) {
        McpAsyncHttpClientRequestCustomizer legacy = auth.customizer();
        if (legacy == McpAsyncHttpClientRequestCustomizer.NOOP) {
            return (request, headers, context) -> Mono.empty();
        }
        return (request, headers, context) -> {
            HttpRequest.Builder scratch = HttpRequest.newBuilder(request.uri());
            return Mono.from(legacy.customize(scratch, request.httpMethod(), request.uri(), request.body(),
                            context == null ? McpTransportContext.EMPTY : context))
                    .doOnNext(b -> b.build().headers().map().forEach((name, values) -> {
                        if (!values.isEmpty()) {
                            headers.set(name, values.get(0));
                        }
                    }))
                    .then();
        };
    }

    static McpHttpAuthorizationErrorHandler onAuthorizationError(UpstreamAuth auth) {
        McpHttpClientAuthorizationErrorHandler legacy = auth.onAuthorizationError();
        return new McpHttpAuthorizationErrorHandler() {
            @Override
            public Mono<Boolean> handle(McpHttpRequest request, McpHttpResponseInfo info, McpTransportContext context) {
                return Mono.from(legacy.handle(responseInfo(info),
                        context == null ? McpTransportContext.EMPTY : context)).defaultIfEmpty(false);
            }

            @Override
            public int maxRetries() {
                return legacy.maxRetries();
            }
        };
    }

    private static HttpResponse.ResponseInfo responseInfo(McpHttpResponseInfo info) {
        return new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return info.statusCode();
            }

            @Override
            public HttpHeaders headers() {
                return info.headers();
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }
}
