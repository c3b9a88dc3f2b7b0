package dev.caravan.upstream;

import io.modelcontextprotocol.spec.McpSchema;

import java.util.stream.Collectors;

/** Reading tool results for route steps. */
final class UpstreamResults {
    private UpstreamResults() {
    }

    /** The text items of the result joined by newlines (other content types are left out). */
    static String text(McpSchema.CallToolResult result) {
        if (result == null || result.content() == null) {
            return "";
        }
        return result.content().stream().filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text()).collect(Collectors.joining("\n"));
    }
}
