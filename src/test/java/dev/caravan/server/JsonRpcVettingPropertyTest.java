package dev.caravan.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.support.Fuzz;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the one place every POSTed MCP body is parsed: whatever arrives, vetting answers with a JSON-RPC outcome
 * (never an exception, never an internal class name), and a well-formed message passes unchanged.
 */
class JsonRpcVettingPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LEAK = Pattern.compile("\\w+\\.\\w+Exception|\\$|java\\.|jackson|fasterxml");
    private static final Set<Integer> CODES = Set.of(JsonRpcVetting.PARSE_ERROR, JsonRpcVetting.INVALID_REQUEST,
            JsonRpcVetting.INVALID_PARAMS);
    private static final String[] KEYS = {"jsonrpc", "id", "method", "params", "result", "error", "name", "arguments"};

    @Test
    void arbitraryBytesGetAnOutcome() {
        Fuzz.forAll(3000, f -> f.bytes(200), body -> checkOutcome(JsonRpcVetting.vet(body)));
    }

    @Test
    void arbitraryJsonValuesGetAnOutcome() {
        Fuzz.forAll(3000, f -> quote(value(f, 3)), body -> checkOutcome(JsonRpcVetting.vet(Fuzz.utf8(body))));
    }

    @Test
    void mutatedMessagesGetAnOutcome() {
        Fuzz.forAll(5000, f -> mutate(f, Fuzz.utf8(valid(f))), body -> checkOutcome(JsonRpcVetting.vet(body)));
    }

    @Test
    void validMessagesPassUnchanged() {
        Fuzz.forAll(2000, JsonRpcVettingPropertyTest::valid, message -> {
            JsonRpcVetting.Outcome outcome = JsonRpcVetting.vet(Fuzz.utf8(message));
            assertThat(outcome.ok()).as(outcome.error()).isTrue();
            assertThat(outcome.message()).isEqualTo(JSON.readTree(message));
            assertThat(outcome.id()).isEqualTo(JSON.readTree(message).get("id"));
        });
    }

    private static void checkOutcome(JsonRpcVetting.Outcome outcome) {
        assertThat(outcome).isNotNull();
        if (outcome.ok()) {
            assertThat(outcome.message().isObject()).isTrue();
            assertThat(outcome.error()).isNull();
            return;
        }
        assertThat(outcome.status()).isIn(200, 400);
        assertThat(outcome.code()).isIn(CODES);
        // 200 only for a well-formed request with bad parameters (JSON-RPC error on a normal HTTP answer).
        assertThat(outcome.status() == 200).isEqualTo(outcome.code() == JsonRpcVetting.INVALID_PARAMS);
        assertThat(outcome.error()).isNotBlank();
        // A quoted key is the client's own text (a duplicate key's name); the rest is ours and must not leak internals.
        assertThat(outcome.error().replaceAll("'[^']*'", "''")).doesNotContainPattern(LEAK);
        JsonNode id = outcome.id();
        assertThat(id).isNotNull();
        assertThat(id.isNull() || id.isTextual() || id.isIntegralNumber()).isTrue();
    }

    // ------------------------------------------------------------------------------------------ generators

    /** Any JSON value as Java objects, nested up to {@code depth}, biased towards JSON-RPC's own keys and values. */
    private static Object value(Fuzz f, int depth) {
        int kind = f.between(0, depth == 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> f.string(12);
            case 1 -> f.chance(0.5) ? (Object) f.random().nextLong() : f.random().nextInt(10);
            case 2 -> f.pick(f.random().nextDouble() * 1e6, Double.MAX_VALUE, -0.0, 1.5e300, 1e-300);
            case 3 -> f.random().nextBoolean();
            case 4 -> null;
            case 5 -> f.pick("2.0", "1.0", "tools/call", "initialize", "", "ping");
            case 6 -> f.list(4, () -> value(f, depth - 1));
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                int n = f.between(0, 5);
                for (int i = 0; i < n; i++) {
                    m.put(f.chance(0.7) ? f.pick(KEYS) : f.string(6), value(f, depth - 1));
                }
                yield m;
            }
        };
    }

    /** A well-formed JSON-RPC message of a kind the hub serves. */
    private static String valid(Fuzz f) {
        String id = f.chance(0.5) ? String.valueOf(f.random().nextLong())
                : quote(f.ascii(0, 12, "abcdefghijklmnopqrstuvwxyz0123456789-_"));
        return switch (f.between(0, 3)) {
            case 0 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + quote(f.ascii(1, 20, "abcdefghijklmnopqrstuvwxyz_")) + ",\"arguments\":{\"text\":"
                    + quote(f.text(30)) + "}}}";
            case 1 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\""
                    + f.pick("initialize", "tools/list", "ping", "resources/list", "prompts/get") + "\",\"params\":{}}";
            case 2 -> "{\"jsonrpc\":\"2.0\",\"method\":\"" + f.pick("notifications/initialized", "notifications/cancelled") + "\"}";
            default -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}";
        };
    }

    private static String quote(Object s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One to four byte-level changes: replace, insert or delete a byte, or append a slice of the body again. */
    private static byte[] mutate(Fuzz f, byte[] body) {
        int n = f.between(1, 4);
        for (int k = 0; k < n; k++) {
            byte b = f.chance(0.5) ? (byte) f.random().nextInt() : (byte) f.pick('{', '}', '[', ']', '"', ',', ':',
                    '\\', '0', '-', 'e', ' ', '\n').charValue();
            int at = f.between(0, body.length);
            switch (f.between(0, 3)) {
                case 0 -> {
                    if (at < body.length) body[at] = b;
                }
                case 1 -> {
                    byte[] out = new byte[body.length + 1];
                    System.arraycopy(body, 0, out, 0, at);
                    out[at] = b;
                    System.arraycopy(body, at, out, at + 1, body.length - at);
                    body = out;
                }
                case 2 -> {
                    if (at < body.length) {
                        byte[] out = new byte[body.length - 1];
                        System.arraycopy(body, 0, out, 0, at);
                        System.arraycopy(body, at + 1, out, at, body.length - at - 1);
                        body = out;
                    }
                }
                default -> {
                    byte[] slice = Arrays.copyOfRange(body, f.between(0, at), at);
                    byte[] out = Arrays.copyOf(body, body.length + slice.length);
                    System.arraycopy(slice, 0, out, body.length, slice.length);
                    body = out;
                }
            }
        }
        return body;
    }
}
