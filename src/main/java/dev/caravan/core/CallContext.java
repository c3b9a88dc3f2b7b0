package dev.caravan.core;

import io.modelcontextprotocol.server.McpSyncServerExchange;

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

    public CallContext(McpSyncServerExchange client, Object progressToken, Caller caller) {
        this.client = client;
        this.progressToken = progressToken;
        this.caller = caller == null ? Caller.NONE : caller;
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

    /** Completes when the client cancels the call (notifications/cancelled). */
    public CompletableFuture<Void> cancelled() {
        return cancelled;
    }

    public void cancel() {
        cancelled.complete(null);
    }
}
