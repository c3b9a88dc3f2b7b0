package dev.caravan.support;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Tool calls from tests: arguments as name, value pairs; the answer's text; success or failure asserted. */
public final class ToolCalls {
    private ToolCalls() {
    }

    public static McpSchema.CallToolResult call(McpSyncClient client, String tool, Object... args) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            arguments.put((String) args[i], args[i + 1]);
        }
        return client.callTool(new McpSchema.CallToolRequest(tool, arguments));
    }

    /** Every text content of the result, one per line. */
    public static String text(McpSchema.CallToolResult result) {
        return result.content().stream().map(c -> ((McpSchema.TextContent) c).text())
                .collect(Collectors.joining("\n"));
    }

    /** The text of a call that must succeed. */
    public static String ok(McpSyncClient client, String tool, Object... args) {
        McpSchema.CallToolResult r = call(client, tool, args);
        assertThat(r.isError()).as(tool + ": " + text(r)).isFalse();
        return text(r);
    }

    /** The text of a call that must fail with a tool error. */
    public static String error(McpSyncClient client, String tool, Object... args) {
        McpSchema.CallToolResult r = call(client, tool, args);
        assertThat(r.isError()).as(tool + " should fail: " + text(r)).isTrue();
        return text(r);
    }
}
