package dev.caravan.core;

import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.concurrent.CompletableFuture;

/**
 * The MCP call a route exchange is serving: who called, through which endpoint, and the client session to
 * talk back to (log, progress, sampling, elicitation). Carried as an exchange property.
 */
public final class CallContext {
    public static final String PROPERTY = "CaravanCallContext";
    /** Transport context key: scheme://host:port[/context] of the MCP request, for links back to Caravan. */
    public static final String REQUEST_BASE_URL = "caravan.requestBaseUrl";

    private final McpSyncServerExchange client;
    private final Object progressToken;
    private final Caller caller;
    private final CompletableFuture<Void> cancelled = new CompletableFuture<>();
    private final Progress progressListener;

    /** Where a call's progress goes when its caller is not an MCP client (the console's streamed Try it). */
    @FunctionalInterface
    public interface Progress {
        void report(double progress, Double total, String message);
    }

    public CallContext(McpSyncServerExchange client, Object progressToken, Caller caller) {
        this.client = client;
        this.progressToken = progressToken;
        this.caller = caller == null ? Caller.NONE : caller;
        this.progressListener = null;
    }

    /** A call from outside MCP whose progress goes to {@code progress} (no client to sample or elicit from). */
    public CallContext(Caller caller, Progress progress) {
        this.client = null;
        this.progressToken = null;
        this.caller = caller == null ? Caller.NONE : caller;
        this.progressListener = progress;
    }

    /** A call through an endpoint whose credential is not known (tests, internal calls). */
    public CallContext(McpSyncServerExchange client, Object progressToken, String endpoint) {
        this(client, progressToken, new Caller(endpoint, null));
    }

    public static CallContext none() {
        return new CallContext(null, null, Caller.NONE);
    }

    /** The calling client's session, or null when the route runs outside an MCP call. */
    public McpSyncServerExchange client() {
        return client;
    }

    public Object progressToken() {
        return progressToken;
    }

    public String endpoint() {
        return caller.endpoint();
    }

    public Caller caller() {
        return caller;
    }

    /** Whether anyone listens to this call's progress (an MCP client that sent a progress token, or a listener). */
    public boolean wantsProgress() {
        return progressListener != null || (client != null && progressToken != null);
    }

    /** Tells the caller how far the call is, if it {@linkplain #wantsProgress() listens}. */
    public void progress(double progress, Double total, String message) {
        if (progressListener != null) {
            progressListener.report(progress, total, message);
        } else if (client != null && progressToken != null) {
            client.progressNotification(new McpSchema.ProgressNotification(progressToken, progress, total, message));
        }
    }

    /** Completes when the client cancels the call (notifications/cancelled). */
    public CompletableFuture<Void> cancelled() {
        return cancelled;
    }

    public void cancel() {
        cancelled.complete(null);
    }
}
