package dev.caravan.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.core.CallContext;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Calls in flight, keyed by endpoint, session and JSON-RPC id, so that a {@code notifications/cancelled} can
 * reach the route serving the request. The SDK does not act on cancellations itself. Also the node's gate for
 * graceful shutdown: once {@link #drain draining}, new MCP requests are refused while those in flight finish. And
 * the node's held-open responses (event streams, long calls), which revocation closes and metrics count.
 */
public class CallRegistry {
    private final Map<String, CallContext> calls = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean draining;
    private volatile ToolCallListener listener = (endpoint, tool, outcome, nanos) -> { };
    private final OpenStreams streams = new OpenStreams();

    /** Told of every finished tool call (metrics); one listener, set once at start. */
    @FunctionalInterface
    public interface ToolCallListener {
        /** @param outcome ok, tool_error (an isError result), cancelled or error */
        void finished(String endpoint, String tool, String outcome, long nanos);
    }

    public void onToolCall(ToolCallListener listener) {
        this.listener = listener;
    }

    void toolCallFinished(String endpoint, String tool, String outcome, long nanos) {
        listener.finished(endpoint, tool, outcome, nanos);
    }

    OpenStreams streams() {
        return streams;
    }

    /** Held-open responses of {@code endpoint} on this node now. */
    public int openStreams(String endpoint) {
        return streams.count(endpoint);
    }

    /** Told of each endpoint the first time a response of it is held open (metrics register a gauge per endpoint). */
    public void onStreamOpened(Consumer<String> listener) {
        streams.onFirstOpen(listener);
    }

    public static String key(String endpoint, String session, Object requestId) {
        // A JSON id renders as its value (a string id quoted, so "1" and 1 stay apart) without JsonNode.toString,
        // which serialises through an ObjectMapper on every request.
        Object id = requestId instanceof JsonNode node && node.isValueNode()
                ? node.isTextual() ? "\"" + node.textValue() + "\"" : node.asText() : requestId;
        return endpoint + "|" + session + "|" + id;
    }

    public AutoCloseable register(String key, CallContext call) {
        if (key == null) {
            return () -> { };
        }
        calls.put(key, call);
        return () -> calls.remove(key, call);
    }

    public void cancel(String key) {
        CallContext call = calls.remove(key);
        if (call != null) {
            call.cancel();
        }
    }

    int inFlight() {
        return calls.size();
    }

    /** Counts an MCP request in; false once draining (the caller refuses it). Pair a true with {@link #leave}. */
    boolean enter() {
        requests.incrementAndGet();
        if (draining) {
            requests.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        requests.decrementAndGet();
    }

    public boolean draining() {
        return draining;
    }

    /** Refuses new requests from now on and waits up to {@code timeout} for those in flight; true if all ended. */
    public boolean drain(Duration timeout) {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (requests.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return requests.get() == 0;
    }

    /** MCP requests being served now (POSTs; held-open streams are not counted). */
    public int requestsInFlight() {
        return requests.get();
    }
}
