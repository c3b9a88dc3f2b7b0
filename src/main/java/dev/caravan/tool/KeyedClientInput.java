package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;

/**
 * A calling client that takes questions under a name the route chooses ({@code inputKey}): on 2026-07-28 the key
 * names the question in the {@code input_required} result, so a client (or a test suite) can tell them apart.
 */
public interface KeyedClientInput {
    McpSchema.ElicitResult createElicitation(String key, McpSchema.ElicitRequest request);

    McpSchema.CreateMessageResult createMessage(String key, McpSchema.CreateMessageRequest request);
}
