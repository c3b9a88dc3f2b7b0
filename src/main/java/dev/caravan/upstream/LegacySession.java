package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A 2025-era upstream: the SDK's 2025 client after {@code initialize} (what every upstream used before 2026-07-28). */
final class LegacySession implements UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(LegacySession.class);

    private final McpAsyncClient client;
    private final Requests requests;
    private final UpstreamLister lister;
    private final Duration pingTimeout;

    /** {@code client} is initialised already. */
    LegacySession(McpAsyncClient client, Requests requests, UpstreamLister lister, Duration pingTimeout) {
        this.client = client;
        this.requests = requests;
        this.lister = lister;
        this.pingTimeout = pingTimeout;
    }

    @Override
    public String protocolVersion() {
        McpSchema.InitializeResult init = client.getCurrentInitializationResult();
        return init == null ? null : init.protocolVersion();
    }

    @Override
    public Listing list() {
        return lister.list(client);
    }

    @Override
    public Listing relistResources() {
        return lister.resources(client);
    }

    @Override
    public void ping() {
        client.ping().timeout(pingTimeout).block();
    }

    @Override
    public McpSchema.CallToolResult callTool(String tool, Map<String, Object> arguments, CallContext context,
                                             Duration timeout) {
        return requests.run(client, "the call to '" + tool + "'", context, timeout, (c, call) -> {
            McpSchema.CallToolRequest.Builder request = McpSchema.CallToolRequest.builder().name(tool)
                    .arguments(arguments == null ? Map.of() : arguments);
            if (call.token != null) {
                request.progressToken(call.token);
            }
            return c.callTool(request.build());
        });
    }

    @Override
    public McpSchema.ReadResourceResult readResource(String uri, CallContext context) {
        return requests.run(client, "reading " + uri, context, null,
                (c, call) -> c.readResource(new McpSchema.ReadResourceRequest(uri)));
    }

    @Override
    public McpSchema.GetPromptResult getPrompt(String prompt, Map<String, Object> arguments, CallContext context) {
        return requests.run(client, "getting the prompt '" + prompt + "'", context, null, (c, call) -> c.getPrompt(
                new McpSchema.GetPromptRequest(prompt, arguments == null ? Map.of() : arguments)));
    }

    /**
     * Passes completion/complete on (the reference already carries the upstream's own prompt name or template). An
     * upstream that does not declare completions gets no request: the answer is an empty completion.
     */
    @Override
    public McpSchema.CompleteResult complete(McpSchema.CompleteRequest request, CallContext context) {
        if (client.getServerCapabilities() == null || client.getServerCapabilities().completions() == null) {
            return new McpSchema.CompleteResult(new McpSchema.CompleteResult.CompleteCompletion(List.of(), 0, false));
        }
        return requests.run(client, "completing '" + request.argument().name() + "'", context, null,
                (c, call) -> c.completeCompletion(request));
    }

    @Override
    public void close() {
        closeQuietly(client);
    }

    static void closeQuietly(McpAsyncClient c) {
        if (c == null) {
            return;
        }
        try {
            c.closeGracefully().timeout(Duration.ofSeconds(2)).block();
        } catch (RuntimeException e) {
            // best effort; close() below releases the rest
        }
        try {
            c.close();
        } catch (RuntimeException e) {
            log.debug("Closing an upstream client failed: {}", e.toString());
        }
    }
}
