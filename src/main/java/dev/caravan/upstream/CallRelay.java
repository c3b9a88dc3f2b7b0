package dev.caravan.upstream;

import dev.caravan.tool.CallContext;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls in flight on one upstream connection, so that what the upstream says during a call reaches the
 * client that made it:
 * <ul>
 * <li>progress: each call that carries the caller's progress token goes upstream with a token of our own; the
 * upstream's progress for that token goes to the caller under the caller's token.</li>
 * <li>log messages: MCP does not tie them to a request, and the SDK client does not say which request's stream
 * carried one, so a message is relayed only when exactly one call is in flight (it can then only be about that
 * call); otherwise it is logged here and not relayed, rather than shown to the wrong client.</li>
 * </ul>
 */
final class CallRelay {
    private static final Logger log = LoggerFactory.getLogger(CallRelay.class);
    private static final AtomicLong TOKENS = new AtomicLong();

    private final String upstream;
    private final Map<Call, Boolean> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Call> byToken = new ConcurrentHashMap<>();

    CallRelay(String upstream) {
        this.upstream = upstream;
    }

    /** One call in flight. {@link #aborted()} completes when the connection is lost under it. */
    final class Call implements AutoCloseable {
        final CallContext context;
        final String token;
        private final CompletableFuture<String> aborted = new CompletableFuture<>();

        private Call(CallContext context, String token) {
            this.context = context;
            this.token = token;
        }

        CompletableFuture<String> aborted() {
            return aborted;
        }

        @Override
        public void close() {
            inFlight.remove(this);
            if (token != null) {
                byToken.remove(token);
            }
        }
    }

    Call begin(CallContext context) {
        String token = context.client() != null && context.progressToken() != null
                ? "caravan-" + upstream + "-" + TOKENS.incrementAndGet() : null;
        Call call = new Call(context, token);
        inFlight.put(call, Boolean.TRUE);
        if (token != null) {
            byToken.put(token, call);
        }
        return call;
    }

    /** The connection went away: every call in flight ends now instead of waiting for its timeout. */
    void abortAll(String reason) {
        inFlight.keySet().forEach(c -> c.aborted.complete(reason));
    }

    void progress(McpSchema.ProgressNotification n) {
        Call call = n.progressToken() == null ? null : byToken.get(String.valueOf(n.progressToken()));
        if (call == null) {
            return;
        }
        try {
            call.context.client().progressNotification(new McpSchema.ProgressNotification(call.context.progressToken(),
                    n.progress(), n.total(), n.message(), n.meta()));
        } catch (RuntimeException e) {
            log.debug("Could not relay progress from upstream {}: {}", upstream, e.toString());
        }
    }

    void log(McpSchema.LoggingMessageNotification n) {
        var calls = inFlight.keySet().toArray(Call[]::new);
        if (calls.length != 1 || calls[0].context.client() == null) {
            log.debug("upstream {} log ({}) not relayed, {} calls in flight: {}", upstream, n.level(), calls.length,
                    n.data());
            return;
        }
        try {
            calls[0].context.client().loggingNotification(new McpSchema.LoggingMessageNotification(n.level(),
                    n.logger() == null ? upstream : n.logger(), n.data(), n.meta()));
        } catch (RuntimeException e) {
            log.debug("Could not relay a log message from upstream {}: {}", upstream, e.toString());
        }
    }

    int inFlight() {
        return inFlight.size();
    }
}
