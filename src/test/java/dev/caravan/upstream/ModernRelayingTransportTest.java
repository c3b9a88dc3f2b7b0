package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import dev.caravan.server.McpJson;
import io.modelcontextprotocol.modern.JsonRpc;
import io.modelcontextprotocol.modern.client.transport.McpClientTransport;
import io.modelcontextprotocol.modern.client.transport.McpTransportRequest;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the modern transport wrapper does to a call made for a client: its request declares the client's
 * capabilities and asks for log messages; the log messages on its stream go to the client, not to the SDK.
 */
class ModernRelayingTransportTest {

    /** A calling client that declares sampling and roots and keeps the log messages it gets. */
    static final class Caller extends McpSyncServerExchange {
        final List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();

        Caller() {
            super(null);
        }

        @Override
        public McpSchema.ClientCapabilities getClientCapabilities() {
            return McpSchema.ClientCapabilities.builder().sampling().roots(false).build();
        }

        @Override
        public void loggingNotification(McpSchema.LoggingMessageNotification message) {
            logs.add(message);
        }
    }

    @Test
    void aCallForAClientDeclaresItsCapabilitiesAndRelaysItsLogMessages() {
        AtomicReference<McpTransportRequest> sent = new AtomicReference<>();
        McpClientTransport upstream = request -> {
            sent.set(request);
            return Flux.just(new JsonRpc.JSONRPCNotification("notifications/message",
                            Map.of("level", "info", "logger", "route", "data", "working")),
                    new JsonRpc.JSONRPCNotification("notifications/progress", Map.of("progressToken", 1,
                            "progress", 1)));
        };
        ModernRelayingTransport transport = new ModernRelayingTransport(upstream, McpJson.mapper());
        CallRelay relay = new CallRelay("u");
        Caller client = new Caller();
        Map<String, Object> params = Map.of("name", "echo", "_meta", Map.of(
                "io.modelcontextprotocol/protocolVersion", "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities", Map.of("elicitation", Map.of("form", Map.of()))));
        McpTransportRequest request = McpTransportRequest.builder(new JsonRpc.JSONRPCRequest("tools/call", 7, params),
                "2026-07-28").name("echo").build();
        List<JsonRpc.JSONRPCMessage> passed;
        try (CallRelay.Call call = relay.begin(new CallContext(client, null, "e"))) {
            passed = transport.exchange(request).contextWrite(ctx -> ctx.put(CallRelay.KEY, call)).collectList()
                    .block(Duration.ofSeconds(5));
            call.flushRelayed(Duration.ofSeconds(5));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) ((Map<String, Object>) sent.get().message().params())
                .get("_meta");
        assertThat(meta).containsEntry("io.modelcontextprotocol/protocolVersion", "2026-07-28")
                .containsEntry("io.modelcontextprotocol/logLevel", "debug");
        assertThat((Map<String, Object>) meta.get("io.modelcontextprotocol/clientCapabilities"))
                .containsKeys("sampling", "roots", "elicitation");
        assertThat(sent.get().name()).isEqualTo("echo");
        assertThat(sent.get().message().id()).isEqualTo(7);
        // The log message went to the client; the rest goes on to the SDK.
        assertThat(passed).hasSize(1).allMatch(m -> m instanceof JsonRpc.JSONRPCNotification n
                && n.method().equals("notifications/progress"));
        assertThat(client.logs).extracting(McpSchema.LoggingMessageNotification::data).containsExactly("working");
        assertThat(client.logs.get(0).level()).isEqualTo(McpSchema.LoggingLevel.INFO);
    }

    @Test
    void requestsOutsideACallPassUnchanged() {
        AtomicReference<McpTransportRequest> sent = new AtomicReference<>();
        ModernRelayingTransport transport = new ModernRelayingTransport(request -> {
            sent.set(request);
            return Flux.just(new JsonRpc.JSONRPCNotification("notifications/message", Map.of("level", "info",
                    "data", "x")));
        }, McpJson.mapper());
        McpTransportRequest request = McpTransportRequest.builder(new JsonRpc.JSONRPCRequest("tools/list", 1,
                Map.of()), "2026-07-28").build();
        assertThat(transport.exchange(request).collectList().block(Duration.ofSeconds(5))).hasSize(1);
        assertThat(sent.get()).isSameAs(request);
    }
}
