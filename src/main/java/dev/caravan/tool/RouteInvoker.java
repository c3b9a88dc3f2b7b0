package dev.caravan.tool;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a route for an MCP request: binds arguments to headers, waits for the route within the tool's timeout,
 * stops the exchange on timeout or client cancellation, and maps what the route produced to the MCP result.
 */
public class RouteInvoker {
    private static final Logger log = LoggerFactory.getLogger(RouteInvoker.class);

    private final Duration defaultTimeout;
    private final Map<String, Duration> timeouts;

    public RouteInvoker(Duration defaultTimeout, Map<String, Duration> timeouts) {
        this.defaultTimeout = defaultTimeout;
        this.timeouts = timeouts;
    }

    public McpSchema.CallToolResult callTool(RouteTool tool, Map<String, Object> arguments, CallContext context) {
        String name = tool.spec().name();
        try {
            Map<String, Object> args = tool.spec().arguments().bind(arguments);
            Exchange exchange = run(tool.consumer(), ex -> bind(ex, name, args), context, timeoutOf(name));
            return ToolResults.of(exchange, tool.spec());
        } catch (ToolFailure e) {
            return ToolResults.error(e.getMessage());
        } catch (CallTimeout e) {
            return ToolResults.error("Tool '" + name + "' did not finish within " + e.timeout.toSeconds()
                    + " s and was stopped. Try again with a smaller request, or ask an administrator to raise "
                    + "caravan.tools.timeouts." + name + ".");
        } catch (CallCancelled e) {
            return ToolResults.error("Tool '" + name + "' was cancelled by the client.");
        } catch (RuntimeException e) {
            return ToolResults.error(internalFailure("Tool '" + name + "'", e));
        }
    }

    public McpSchema.ReadResourceResult readResource(RouteResource resource, String uri, Map<String, String> variables,
                                                     CallContext context) {
        try {
            Exchange exchange = run(resource.consumer(), ex -> {
                bind(ex, resource.spec().name(), Map.copyOf(variables));
                ex.getMessage().setHeader(Headers.RESOURCE_URI, uri);
            }, context, timeoutOf(resource.spec().name()));
            return ResourceResults.of(exchange, uri, resource.spec().mimeType());
        } catch (RuntimeException e) {
            throw asMcpError("Resource '" + uri + "'", e);
        }
    }

    public McpSchema.GetPromptResult getPrompt(RoutePrompt prompt, Map<String, Object> arguments, CallContext context) {
        try {
            Map<String, Object> args = prompt.spec().bind(arguments);
            Exchange exchange = run(prompt.consumer(), ex -> bind(ex, prompt.spec().name(), args), context,
                    timeoutOf(prompt.spec().name()));
            return PromptResults.of(exchange, prompt.spec().description());
        } catch (RuntimeException e) {
            throw asMcpError("Prompt '" + prompt.spec().name() + "'", e);
        }
    }

    private McpError asMcpError(String what, RuntimeException e) {
        if (e instanceof ArgumentException) {
            return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message(e.getMessage()).build();
        }
        String message = e instanceof ToolFailure ? e.getMessage()
                : e instanceof CallTimeout t ? what + " did not finish within " + t.timeout.toSeconds() + " s"
                : e instanceof CallCancelled ? what + " was cancelled by the client"
                : internalFailure(what, e);
        return McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR).message(message).build();
    }

    private static void bind(Exchange exchange, String name, Map<String, ?> args) {
        exchange.getMessage().setHeader(Headers.NAME, name);
        exchange.getMessage().setHeader(Headers.ARGUMENTS, args);
        args.forEach(exchange.getMessage()::setHeader);
        exchange.getMessage().setBody(args);
        // Lets outbound calls tell the caller's input from what the route itself chose to send.
        exchange.setProperty(OutboundCalls.ARGUMENTS, args);
    }

    private Duration timeoutOf(String name) {
        return timeouts.getOrDefault(name, defaultTimeout);
    }

    private Exchange run(AiConsumer consumer, Consumer<Exchange> prepare, CallContext context, Duration timeout) {
        if (!consumer.isRunAllowed()) {
            // Its route file is being swapped for a new version right now.
            throw new ToolFailure("This is being reloaded right now; call it again in a moment.");
        }
        Exchange exchange = consumer.createExchange(false);
        prepare.accept(exchange);
        exchange.setProperty(CallContext.PROPERTY, context);
        exchange.getMessage().setHeader(Headers.CALLER, context.caller().principal());
        exchange.getMessage().setHeader(Headers.CLIENT_CAPABILITIES, capabilityNames(context));
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            consumer.getAsyncProcessor().process(exchange, sync -> done.complete(null));
            CompletableFuture.anyOf(done, context.cancelled()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done.isDone()) {
                stop(exchange, "cancelled by the client");
                throw new CallCancelled();
            }
            Exception failure = exchange.getException();
            if (failure != null) {
                throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
            }
            return exchange;
        } catch (TimeoutException e) {
            stop(exchange, "timed out after " + timeout);
            throw new CallTimeout(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(exchange, "interrupted");
            throw new CallCancelled();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static List<String> capabilityNames(CallContext context) {
        McpSchema.ClientCapabilities declared = context.client() == null ? null : context.client().getClientCapabilities();
        if (declared == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (declared.elicitation() != null) {
            names.add("elicitation");
        }
        if (declared.experimental() != null) {
            names.add("experimental");
        }
        if (declared.roots() != null) {
            names.add("roots");
        }
        if (declared.sampling() != null) {
            names.add("sampling");
        }
        return List.copyOf(names);
    }

    /** Marks the exchange so the routing engine runs none of its remaining steps. */
    private static void stop(Exchange exchange, String why) {
        exchange.setRouteStop(true);
        exchange.setException(new CancellationException(why));
    }

    /** Logs the detail under a correlation id and returns a message that reveals nothing internal. */
    static String internalFailure(String what, Throwable e) {
        String ref = UUID.randomUUID().toString().substring(0, 8);
        log.warn("{} failed [ref {}]", what, ref, e);
        return what + " failed with an internal error (ref " + ref + "). The details are in the server log; "
                + "retrying may help if the cause was temporary.";
    }

    static final class CallTimeout extends RuntimeException {
        final Duration timeout;

        CallTimeout(Duration timeout) {
            super(null, null, false, false);
            this.timeout = timeout;
        }
    }

    static final class CallCancelled extends RuntimeException {
        CallCancelled() {
            super(null, null, false, false);
        }
    }
}
