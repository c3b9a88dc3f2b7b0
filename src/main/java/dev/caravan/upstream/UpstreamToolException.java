package dev.caravan.upstream;

import dev.caravan.tool.ToolFailure;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * The upstream tool answered with {@code isError: true}. Thrown by {@code mcp:NAME?tool=TOOL} route steps so a
 * route can react with {@code onException}; its message is the text of the upstream's error, and
 * {@link #result()} is the whole result. Unhandled, it reaches the calling agent as that text (it is a
 * {@link ToolFailure}).
 */
public class UpstreamToolException extends ToolFailure {
    private final String upstream;
    private final String tool;
    private final transient McpSchema.CallToolResult result;

    public UpstreamToolException(String upstream, String tool, McpSchema.CallToolResult result) {
        super(UpstreamResults.text(result).isBlank() ? "Tool '" + tool + "' of upstream '" + upstream + "' failed."
                : UpstreamResults.text(result));
        this.upstream = upstream;
        this.tool = tool;
        this.result = result;
    }

    public String upstream() {
        return upstream;
    }

    public String tool() {
        return tool;
    }

    public McpSchema.CallToolResult result() {
        return result;
    }
}
