package dev.caravan.upstream;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;

import java.util.function.Function;

/**
 * The SDK's stdio transport, with two changes:
 * <ul>
 * <li>the child process does not inherit Caravan's whole environment (the admin token, database passwords,
 * other upstreams' credentials): it gets only the SDK's short list of harmless variables (PATH, HOME, ...) plus
 * the {@code env} the upstream declares;</li>
 * <li>{@code onExit} runs as soon as the process ends, so a crashed server is noticed at once instead of at the
 * next failed ping.</li>
 * </ul>
 */
final class CleanEnvStdioTransport extends StdioClientTransport {
    private final String name;
    private final Runnable onExit;

    CleanEnvStdioTransport(ServerParameters params, McpJsonMapper json, String name, Runnable onExit) {
        super(params, json);
        this.name = name;
        this.onExit = onExit;
    }

    @Override
    protected ProcessBuilder getProcessBuilder() {
        ProcessBuilder builder = new ProcessBuilder();
        builder.environment().clear();
        return builder;
    }

    /**
     * One sender at a time. The SDK emits into a sink that takes one emitter at a time and busy-loops at most
     * 100 ms for its turn; with hundreds of calls sent at once (calls no longer wait for a request thread) some
     * waited longer, failed with "Failed to enqueue message", and a failed ping marked the upstream down.
     */
    @Override
    public synchronized Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return super.sendMessage(message);
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return super.connect(handler).doOnSuccess(ignored -> {
            Thread watcher = new Thread(() -> {
                try {
                    awaitForExit();
                } catch (RuntimeException interrupted) {
                    return;
                }
                onExit.run();
            }, "caravan-stdio-" + name);
            watcher.setDaemon(true);
            watcher.start();
        });
    }
}
