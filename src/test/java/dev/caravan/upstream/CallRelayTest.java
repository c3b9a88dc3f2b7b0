package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** How the relay decides which caller a server-to-client message goes to, and what the upstream hears back. */
class CallRelayTest {
    private final CallRelay relay = new CallRelay("up");
    private final FakeTransport wire = new FakeTransport();
    private final RelayingTransport transport = new RelayingTransport(wire, relay);
    private final List<McpSchema.JSONRPCMessage> toSession = new CopyOnWriteArrayList<>();

    CallRelayTest() {
        transport.connect(m -> m.doOnNext(toSession::add)).block();
    }

    private static McpSchema.JSONRPCRequest sampling(String id) {
        return new McpSchema.JSONRPCRequest(McpSchema.METHOD_SAMPLING_CREATE_MESSAGE, id, Map.of(
                "messages", List.of(Map.of("role", "user", "content", Map.of("type", "text", "text", "hi"))),
                "maxTokens", 10));
    }

    private static McpSyncServerExchange client(boolean sampling, String answer) {
        McpSyncServerExchange exchange = mock(McpSyncServerExchange.class);
        when(exchange.getClientCapabilities()).thenReturn(sampling
                ? McpSchema.ClientCapabilities.builder().sampling().build()
                : McpSchema.ClientCapabilities.builder().build());
        when(exchange.createMessage(any())).thenReturn(McpSchema.CreateMessageResult.builder()
                .role(McpSchema.Role.ASSISTANT).content(new McpSchema.TextContent(answer)).model("m").build());
        return exchange;
    }

    private McpSchema.JSONRPCResponse answerTo(Object id) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            for (McpSchema.JSONRPCMessage m : wire.sent) {
                if (m instanceof McpSchema.JSONRPCResponse r && r.id().equals(id)) {
                    return r;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no answer to " + id);
    }

    @Test
    void withNoCallInFlightTheUpstreamIsToldThereIsNoClientToAsk() {
        wire.receive(sampling("s1"), Context.empty());
        McpSchema.JSONRPCResponse r = answerTo("s1");
        assertThat(r.error().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_REQUEST);
        assertThat(r.error().message()).contains("no call to upstream 'up' is in flight");
        assertThat(toSession).isEmpty();
    }

    @Test
    void oneCallInFlightGetsAnUntiedRequest() {
        McpSyncServerExchange alice = client(true, "from alice");
        try (CallRelay.Call ignored = relay.begin(new CallContext(alice, null, "ep"))) {
            wire.receive(sampling("s2"), Context.empty());
            McpSchema.JSONRPCResponse r = answerTo("s2");
            assertThat(r.error()).isNull();
            assertThat(r.result().toString()).contains("from alice");
        }
    }

    @Test
    void withSeveralCallsTheRequestGoesToTheCallWhoseStreamCarriedItAndOnlyThen() {
        McpSyncServerExchange alice = client(true, "from alice");
        McpSyncServerExchange bob = client(true, "from bob");
        try (CallRelay.Call a = relay.begin(new CallContext(alice, null, "ep"));
             CallRelay.Call b = relay.begin(new CallContext(bob, null, "ep"))) {
            wire.receive(sampling("s3"), Context.of(CallRelay.KEY, b));
            assertThat(answerTo("s3").result().toString()).contains("from bob");
            verify(alice, never()).createMessage(any());

            wire.receive(sampling("s4"), Context.empty());
            McpSchema.JSONRPCResponse r = answerTo("s4");
            assertThat(r.error().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_REQUEST);
            assertThat(r.error().message()).contains("2 calls to upstream 'up' are in flight");
        }
    }

    @Test
    void aCallerWithoutTheCapabilityIsNotAsked() {
        McpSyncServerExchange plain = client(false, "never");
        try (CallRelay.Call c = relay.begin(new CallContext(plain, null, "ep"))) {
            wire.receive(sampling("s5"), Context.of(CallRelay.KEY, c));
            McpSchema.JSONRPCResponse r = answerTo("s5");
            assertThat(r.error().code()).isEqualTo(McpSchema.ErrorCodes.METHOD_NOT_FOUND);
            assertThat(r.error().message()).contains("does not support sampling");
            verify(plain, never()).createMessage(any());
        }
    }

    @Test
    void aCallRemembersItsRequestIdAndCancelsItUpstream() {
        try (CallRelay.Call c = relay.begin(new CallContext(client(true, "x"), null, "ep"))) {
            assertThat(c.cancelUpstream("nothing sent yet")).isFalse();
            // A (re-)initialization that happens to run inside the call is not the call's request.
            transport.sendMessage(new McpSchema.JSONRPCRequest(McpSchema.METHOD_INITIALIZE, "i-1", Map.of()))
                    .contextWrite(Context.of(CallRelay.KEY, c)).block();
            assertThat(c.cancelUpstream("still nothing of the call's own")).isFalse();
            transport.sendMessage(new McpSchema.JSONRPCRequest(McpSchema.METHOD_TOOLS_CALL, "r-9", Map.of()))
                    .contextWrite(Context.of(CallRelay.KEY, c)).block();
            assertThat(c.cancelUpstream("the client cancelled the request")).isTrue();
            McpSchema.JSONRPCNotification cancelled = (McpSchema.JSONRPCNotification) wire.sent.get(wire.sent.size() - 1);
            assertThat(cancelled.method()).isEqualTo("notifications/cancelled");
            assertThat(cancelled.params()).isEqualTo(Map.of("requestId", "r-9",
                    "reason", "the client cancelled the request"));
        }
    }

    @Test
    void otherMessagesAndUntiedLogsGoToTheSession() {
        McpSchema.JSONRPCNotification log = new McpSchema.JSONRPCNotification(McpSchema.METHOD_NOTIFICATION_MESSAGE,
                Map.of("level", "info", "data", "hello"));
        McpSyncServerExchange alice = client(true, "a");
        try (CallRelay.Call a = relay.begin(new CallContext(alice, null, "ep"))) {
            wire.receive(log, Context.empty());
            assertThat(toSession).containsExactly(log);
            wire.receive(log, Context.of(CallRelay.KEY, a));
            assertThat(toSession).hasSize(1);
            a.flushRelayed(Duration.ofSeconds(5));
            verify(alice).loggingNotification(any());
        }
    }

    @Test
    void aCallerThatDoesNotReadHoldsUpNeitherTheUpstreamConnectionNorOtherCallers() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch reading = new CountDownLatch(1);
        McpSyncServerExchange stuck = client(true, "s");
        doAnswer(i -> {
            writing.countDown();
            return reading.await(30, TimeUnit.SECONDS);
        }).when(stuck).progressNotification(any());
        McpSyncServerExchange bob = client(true, "b");
        List<Object> toBob = new CopyOnWriteArrayList<>();
        doAnswer(i -> toBob.add(i.getArgument(0))).when(bob).loggingNotification(any());
        try (CallRelay.Call s = relay.begin(new CallContext(stuck, "p-stuck", "ep"));
             CallRelay.Call b = relay.begin(new CallContext(bob, null, "ep"))) {
            // Both arrive on the upstream's I/O thread (here: this one), which must not wait for the stuck client.
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                relay.progress(new McpSchema.ProgressNotification(s.token, 0.5, 1.0, "half"));
                wire.receive(logMessage("for bob"), Context.of(CallRelay.KEY, b));
            });
            b.flushRelayed(Duration.ofSeconds(5));
            assertThat(toBob).hasSize(1);
            assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            s.flushRelayed(Duration.ofMillis(200));   // gives up: the answer is not held forever either
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        } finally {
            reading.countDown();
        }
    }

    @Test
    void progressAndLogsReachTheCallerInTheirOrderAndBeforeTheAnswer() {
        McpSyncServerExchange alice = client(true, "a");
        List<String> seen = new CopyOnWriteArrayList<>();
        doAnswer(i -> {
            Thread.sleep(50);   // a slow first write must not let the later messages overtake it
            return seen.add("progress " + i.<McpSchema.ProgressNotification>getArgument(0).progress());
        }).when(alice).progressNotification(any());
        doAnswer(i -> seen.add("log " + i.<McpSchema.LoggingMessageNotification>getArgument(0).data()))
                .when(alice).loggingNotification(any());
        try (CallRelay.Call a = relay.begin(new CallContext(alice, "p-alice", "ep"))) {
            relay.progress(new McpSchema.ProgressNotification(a.token, 1.0, 3.0, null));
            wire.receive(logMessage("working"), Context.of(CallRelay.KEY, a));
            relay.progress(new McpSchema.ProgressNotification(a.token, 2.0, 3.0, null));
            a.flushRelayed(Duration.ofSeconds(5));
            assertThat(seen).containsExactly("progress 1.0", "log working", "progress 2.0");
            verify(alice, times(2)).progressNotification(argThat(p -> "p-alice".equals(p.progressToken())));
        }
    }

    private static McpSchema.JSONRPCNotification logMessage(String data) {
        return new McpSchema.JSONRPCNotification(McpSchema.METHOD_NOTIFICATION_MESSAGE,
                Map.of("level", "info", "data", data));
    }

    /** Records what is sent; hands "incoming" messages to the connected handler in a given Reactor context. */
    private static final class FakeTransport implements McpClientTransport {
        final List<McpSchema.JSONRPCMessage> sent = new CopyOnWriteArrayList<>();
        Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler;

        void receive(McpSchema.JSONRPCMessage message, Context context) {
            handler.apply(Mono.just(message)).contextWrite(context).block();
        }

        @Override
        public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
            this.handler = handler;
            return Mono.empty();
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromRunnable(() -> sent.add(message));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return McpJsonDefaults.getMapper().convertValue(data, typeRef);
        }
    }
}
