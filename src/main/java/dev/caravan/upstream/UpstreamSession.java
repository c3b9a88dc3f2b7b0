package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.spec.McpSchema;

import java.time.Duration;
import java.util.Map;

/**
 * One open conversation with an upstream, in whichever protocol era it speaks: {@link LegacySession} (the 2025
 * revisions: initialize, a session, the SDK's 2025 client) or {@link ModernSession} (2026-07-28: discover, no
 * session, the SDK's modern client). The connection ({@link UpstreamConnection}) owns its lifecycle and does not
 * care which; results are in the 2025 schema types the catalogue re-exports. Change notices reach the connection
 * through the {@link UpstreamClientFactory.Hooks} the session was opened with.
 */
interface UpstreamSession {

    /** The protocol revision this session speaks, e.g. {@code 2026-07-28} or {@code 2025-11-25}. */
    String protocolVersion();

    /** What the upstream offers now (the tools must list; the other lists are extras). */
    Listing list();

    /** Resources and templates only, after the upstream announced a change of them. */
    Listing relistResources();

    /** Throws when the upstream does not answer a cheap request within the connect timeout. */
    void ping();

    McpSchema.CallToolResult callTool(String tool, Map<String, Object> arguments, CallContext context,
                                      Duration timeout);

    McpSchema.ReadResourceResult readResource(String uri, CallContext context);

    McpSchema.GetPromptResult getPrompt(String prompt, Map<String, Object> arguments, CallContext context);

    McpSchema.CompleteResult complete(McpSchema.CompleteRequest request, CallContext context);

    /** Best effort; never throws. */
    void close();
}
