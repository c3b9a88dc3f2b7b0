package dev.caravan.upstream;

import dev.caravan.upstream.oauth.RevokingProxy;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.transport.customizer.McpAsyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.client.transport.customizer.McpHttpClientAuthorizationErrorHandler;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The legacy SSE transport retries once after a 401 when the upstream's credentials could be renewed (as the SDK's
 * Streamable HTTP transport does): the real server-everything over SSE behind a proxy that accepts one bearer
 * token at a time.
 */
class SseAuthRetryTest {
    static EverythingPeer peer;
    static RevokingProxy proxy;

    @BeforeAll
    static void start() {
        peer = EverythingPeer.sse(EverythingPeer.freePort());
        proxy = new RevokingProxy("http://127.0.0.1:" + peer.port());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        peer.close();
    }

    /** Credentials that can be renewed once to {@code next}; counts the refusals it was told of. */
    static final class RenewableAuth implements UpstreamAuth {
        volatile String token;
        volatile String next;
        final AtomicInteger refusals = new AtomicInteger();

        RenewableAuth(String token, String next) {
            this.token = token;
            this.next = next;
        }

        @Override
        public McpAsyncHttpClientRequestCustomizer customizer() {
            return (builder, method, uri, body, context) -> Mono.just(builder.setHeader("Authorization", "Bearer " + token));
        }

        @Override
        public McpHttpClientAuthorizationErrorHandler onAuthorizationError() {
            return (response, context) -> {
                refusals.incrementAndGet();
                if (response.statusCode() != 401 || next == null) {
                    return Mono.just(false);
                }
                token = next;
                next = null;
                return Mono.just(true);
            };
        }
    }

    static McpAsyncClient client(RenewableAuth auth) {
        UpstreamConfig config = new UpstreamConfig("old", UpstreamConfig.Transport.SSE, proxy.url("/sse"), null,
                List.of(), Map.of(), "old", List.of(), List.of(), List.of(), Duration.ofSeconds(10),
                Duration.ofSeconds(20), UpstreamConfig.Auth.NONE, true);
        UpstreamClientFactory.Hooks hooks = new UpstreamClientFactory.Hooks(t -> { }, () -> { }, p -> { }, p -> { },
                l -> { }, () -> { }, new CallRelay("old"));
        return new UpstreamClientFactory(McpJsonDefaults.getMapper(), c -> null)
                .create(config, auth, new Secrets(k -> null), hooks);
    }

    static String echo(McpAsyncClient client, String message) {
        McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", message)))
                .block(Duration.ofSeconds(20));
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void aRefusedMessageIsSentAgainWithRenewedCredentials() {
        proxy.requireToken("first");
        RenewableAuth auth = new RenewableAuth("first", null);
        McpAsyncClient client = client(auth);
        try {
            client.initialize().block(Duration.ofSeconds(20));
            assertThat(echo(client, "before")).isEqualTo("Echo: before");
            assertThat(auth.refusals).hasValue(0);

            proxy.requireToken("second"); // the first token is revoked
            auth.next = "second";
            assertThat(echo(client, "after renewal")).isEqualTo("Echo: after renewal");
            assertThat(auth.refusals).hasValue(1);
            assertThat(auth.token).isEqualTo("second");
        } finally {
            client.close();
        }
    }

    @Test
    void withoutRenewedCredentialsTheRefusalStandsAndIsNotRetriedInALoop() {
        proxy.requireToken("one");
        RenewableAuth auth = new RenewableAuth("one", null);
        McpAsyncClient client = client(auth);
        try {
            client.initialize().block(Duration.ofSeconds(20));
            int refusedBefore = proxy.refusedCount();
            proxy.requireToken("two");
            assertThatThrownBy(() -> echo(client, "refused")).hasMessageContaining("401");
            // Each refused request is reported once and, with nothing renewed, not sent again (the SDK client sends
            // requests of its own meanwhile, e.g. tools/list, so the count is compared with the proxy's).
            sleep(1500);
            assertThat(auth.refusals.get()).isPositive();
            assertThat(proxy.refusedCount() - refusedBefore).isEqualTo(auth.refusals.get());
        } finally {
            client.close();
        }
    }

    @Test
    void aRefusedStreamIsOpenedAgainWithRenewedCredentials() {
        proxy.requireToken("current");
        RenewableAuth auth = new RenewableAuth("stale", "current");
        McpAsyncClient client = client(auth);
        try {
            client.initialize().block(Duration.ofSeconds(20));
            assertThat(auth.refusals).hasValue(1);
            assertThat(echo(client, "connected")).isEqualTo("Echo: connected");
        } finally {
            client.close();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void onlyTheSseTransportsOwnReportOfA401Or403Counts() {
        assertThat(SseAuthRetry.authorizationStatus(new McpTransportException(
                "Sending message failed with a non-OK HTTP code: 401 - {\"error\":\"invalid_token\"}"))).isEqualTo(401);
        assertThat(SseAuthRetry.authorizationStatus(new RuntimeException(new McpTransportException(
                "Failed to connect to SSE stream: 403: forbidden")))).isEqualTo(403);
        assertThat(SseAuthRetry.authorizationStatus(new McpTransportException(
                "Sending message failed with a non-OK HTTP code: 500 - 401"))).isNull();
        assertThat(SseAuthRetry.authorizationStatus(new IllegalStateException("HTTP code: 401"))).isNull();
    }
}
