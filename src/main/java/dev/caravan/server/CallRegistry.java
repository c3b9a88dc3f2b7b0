package dev.caravan.server;

import dev.caravan.core.CallContext;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls in flight, keyed by endpoint, session and JSON-RPC id, so that a {@code notifications/cancelled} can
 * reach the route serving the request. The SDK does not act on cancellations itself.
 */
public class CallRegistry {
    private final Map<String, CallContext> calls = new ConcurrentHashMap<>();

    public static String key(String endpoint, String session, Object requestId) {
        return endpoint + "|" + session + "|" + requestId;
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
}
