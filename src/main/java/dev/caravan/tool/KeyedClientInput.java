package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;

/**
 * A calling client that takes questions under a name the route chooses ({@code inputKey}): on 2026-07-28 the key
 * names the question in the {@code input_required} result, so a client (or a test suite) can tell them apart.
 */
public interface KeyedClientInput {
    McpSchema.ElicitResult createElicitation(String key, McpSchema.ElicitRequest request);

    McpSchema.CreateMessageResult createMessage(String key, McpSchema.CreateMessageRequest request);

    McpSchema.ListRootsResult listRootsUnder(String key);

    /**
     * The route needs a capability ({@code sampling}, {@code elicitation}, {@code roots}) the client did not
     * declare. On 2026-07-28 the request then fails with the protocol's error for it (-32021, naming the
     * capability), not with a tool result: the client can tell it must declare the capability and call again.
     */
    void capabilityMissing(String capability);

    /**
     * Asks the questions {@code asks} asks in one go. On 2026-07-28 each one without a recorded answer throws
     * {@link ClientInputPending} as usual (the caller goes on to its next question), and once {@code asks} is done
     * this throws {@link ClientInputPending} when any was unanswered: they all go to the client in one
     * {@code input_required} result, and the retry answers them all.
     */
    void together(Runnable asks);
}
