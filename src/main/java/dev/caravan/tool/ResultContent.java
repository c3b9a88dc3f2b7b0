package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;

import java.util.ArrayList;
import java.util.List;

/** Content items collected by {@code ai-result:} steps during one tool call, kept as an exchange property. */
final class ResultContent {
    static final String PROPERTY = "CaravanResultContent";

    private final List<McpSchema.Content> items = new ArrayList<>();
    private Object structured;
    private boolean error;

    void add(McpSchema.Content content) {
        items.add(content);
    }

    void structured(Object value) {
        structured = value;
    }

    void error() {
        error = true;
    }

    McpSchema.CallToolResult toResult() {
        McpSchema.CallToolResult.Builder b = McpSchema.CallToolResult.builder().content(List.copyOf(items)).isError(error);
        if (structured != null) {
            b.structuredContent(structured);
        }
        return b.build();
    }
}
