package dev.caravan.server.modern;

import dev.caravan.core.Caller;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.modern.server.HmacRequestStateCodec;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import io.modelcontextprotocol.modern.server.RequestStateCodec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals request state with the SDK's HMAC codec under the current key and opens it under the current or the
 * previous one, so a key can be rotated without failing the input rounds in flight. A state is bound to the
 * endpoint and credential that got it (a digest of them: the state is readable by the client, so it must not
 * name the credential), to the method and to the tool; it expires after {@code ttl}.
 */
public final class RequestStates implements RequestStateCodec {
    private final RequestStateCodec current;
    private final RequestStateCodec previous;

    public RequestStates(byte[] currentKey, byte[] previousKey, Duration ttl, McpJsonMapper json) {
        this.current = codec(currentKey, ttl, json);
        this.previous = previousKey == null ? null : codec(previousKey, ttl, json);
    }

    private static RequestStateCodec codec(byte[] key, Duration ttl, McpJsonMapper json) {
        return HmacRequestStateCodec.builder().key(key).ttl(ttl).jsonMapper(json).principalExtractor(principal(key)).build();
    }

    @Override
    public String seal(McpRequestContext ctx, String state) {
        return current.seal(ctx, state);
    }

    @Override
    public String open(McpRequestContext ctx, String sealed) {
        String opened = current.open(ctx, sealed);
        return opened != null || previous == null ? opened : previous.open(ctx, sealed);
    }

    /** A keyed digest of endpoint and credential: the client can read the state, and must learn nothing from it. */
    private static Function<McpTransportContext, String> principal(byte[] key) {
        return context -> {
            Object caller = context.get(Caller.ATTRIBUTE);
            String principal = caller instanceof Caller c ? c.endpoint() + "\n" + c.credential() : "";
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                byte[] hash = mac.doFinal(("principal\n" + principal).getBytes(StandardCharsets.UTF_8));
                return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
