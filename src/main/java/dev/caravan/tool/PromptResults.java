package dev.caravan.tool;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A prompt route's body as prompt messages: plain text is one user message; a JSON list (or List) of
 * {@code {role, content}} objects, or of {@code {role, text}} shorthands, is the message list.
 */
final class PromptResults {
    private PromptResults() {
    }

    static McpSchema.GetPromptResult of(Exchange exchange, String description) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof McpSchema.GetPromptResult result) {
            return result;
        }
        Object messages = body;
        if (body instanceof String s && s.trim().startsWith("[")) {
            try {
                messages = McpJsonDefaults.getMapper().readValue(s, List.class);
            } catch (IOException e) {
                messages = s;
            }
        }
        List<McpSchema.PromptMessage> out = new ArrayList<>();
        if (messages instanceof List<?> list) {
            for (Object item : list) {
                out.add(message(item));
            }
        } else {
            out.add(new McpSchema.PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(ToolResults.text(messages))));
        }
        return new McpSchema.GetPromptResult(description, out);
    }

    @SuppressWarnings("unchecked")
    private static McpSchema.PromptMessage message(Object item) {
        if (!(item instanceof Map<?, ?> map)) {
            return new McpSchema.PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(ToolResults.text(item)));
        }
        McpSchema.Role role = "assistant".equals(map.get("role")) ? McpSchema.Role.ASSISTANT : McpSchema.Role.USER;
        Object content = map.get("content");
        if (content instanceof Map<?, ?> c) {
            return new McpSchema.PromptMessage(role, ToolResults.contentFromMap((Map<String, Object>) c));
        }
        Object text = map.containsKey("text") ? map.get("text") : content;
        return new McpSchema.PromptMessage(role, new McpSchema.TextContent(ToolResults.text(text)));
    }
}
