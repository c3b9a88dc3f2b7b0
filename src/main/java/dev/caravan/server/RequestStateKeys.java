package dev.caravan.server;

import dev.caravan.server.modern.RequestStates;
import dev.caravan.store.RequestStateKeyRepository;
import io.modelcontextprotocol.json.McpJsonMapper;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * Where the key that signs request state comes from: {@code caravan.mcp.request-state-key} (base64, at least
 * 32 bytes) when set, else one generated once and kept in the database, so every node signs with the same key.
 * {@code caravan.mcp.request-state-previous-key} is still accepted for opening, for rotation.
 */
public final class RequestStateKeys {
    static final int MIN_BYTES = 32;

    private RequestStateKeys() {
    }

    public static RequestStates codec(String configured, String previous, Duration ttl,
                                      RequestStateKeyRepository store, McpJsonMapper json) {
        byte[] current = configured == null || configured.isBlank()
                ? decode(store.findOrCreate(RequestStateKeys::generate), "the stored request_state_key")
                : decode(configured, "caravan.mcp.request-state-key");
        byte[] old = previous == null || previous.isBlank() ? null
                : decode(previous, "caravan.mcp.request-state-previous-key");
        return new RequestStates(current, old, ttl, json);
    }

    private static String generate() {
        byte[] key = new byte[MIN_BYTES];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    static byte[] decode(String base64, String what) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " is not base64; generate one with: openssl rand -base64 32");
        }
        if (key.length < MIN_BYTES) {
            throw new IllegalStateException(what + " has " + key.length + " bytes; it needs at least " + MIN_BYTES
                    + " (openssl rand -base64 32)");
        }
        return key;
    }
}
