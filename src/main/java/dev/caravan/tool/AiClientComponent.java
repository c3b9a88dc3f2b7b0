package dev.caravan.tool;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ai-client:ACTION} talks back to the MCP client whose call the route is serving:
 * <ul>
 * <li>{@code log?level=info&logger=NAME}: the body as a {@code notifications/message} (honours the client's setLevel)</li>
 * <li>{@code progress?progress=N&total=M&message=TEXT}: a progress notification, when the client asked for them</li>
 * <li>{@code sampling?maxTokens=N&systemPrompt=TEXT}: asks the client's model; body in = prompt, body out = reply</li>
 * <li>{@code elicitation?requestedSchema=JSON}: asks the user; body in = message, body out = the answered fields,
 * header {@value Headers#ELICITATION_ACTION} = accept / decline / cancel</li>
 * <li>{@code roots}: asks the client for its roots; body out = a list of {@code {uri, name}} maps</li>
 * <li>all three take {@code inputKey=NAME}: the question's key in a 2026-07-28 {@code input_required} result</li>
 * </ul>
 * A route that asks for something the client did not declare gets an error result (2025 sessions) or the request
 * fails with -32021 naming the capability (2026-07-28). Routes can branch on
 * {@value Headers#CLIENT_CAPABILITIES} to ask only what the client supports.
 */
public class AiClientComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        UriOptions options = new UriOptions(getCamelContext(), uri, parameters);
        Action action = switch (remaining) {
            case "log" -> log(options);
            case "progress" -> progress(options);
            case "sampling" -> sampling(options);
            case "elicitation" -> elicitation(options);
            case "roots" -> roots(options);
            default -> throw new RouteDefinitionException(uri + ": unknown action '" + remaining
                    + "' (use log, progress, sampling, elicitation or roots)");
        };
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) {
                        CallContext call = exchange.getProperty(CallContext.PROPERTY, CallContext.class);
                        action.apply(exchange, call == null ? CallContext.none() : call);
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new IllegalArgumentException(uri + " is a route step (to:), not a route start");
            }

            @Override
            public boolean isLenientProperties() {
                return true;
            }
        };
    }

    private interface Action {
        void apply(Exchange exchange, CallContext call);
    }

    private static Action log(UriOptions options) {
        String levelName = options.get("level") == null ? "info" : options.get("level").toLowerCase();
        McpSchema.LoggingLevel level = McpSchema.LoggingLevel.fromValue(levelName);
        if (level == null) {
            throw new RouteDefinitionException(options.uri() + ": unknown level '" + levelName
                    + "' (use debug, info, notice, warning, error, critical, alert or emergency)");
        }
        String logger = options.get("logger");
        return (exchange, call) -> {
            if (call.client() != null) {
                call.client().loggingNotification(new McpSchema.LoggingMessageNotification(level,
                        logger == null ? exchange.getFromRouteId() : logger,
                        ToolResults.text(exchange.getMessage().getBody())));
            }
        };
    }

    private static Action progress(UriOptions options) {
        String progress = options.get("progress"), total = options.get("total"), message = options.get("message");
        if (progress == null) {
            throw new RouteDefinitionException(options.uri() + ": progress needs a progress option, e.g. "
                    + "toD: ai-client:progress?progress=${header.done}&total=10");
        }
        return (exchange, call) -> {
            call.progress(Double.parseDouble(progress), total == null ? null : Double.parseDouble(total), message);
        };
    }

    private static Action sampling(UriOptions options) {
        int maxTokens = options.get("maxTokens") == null ? 1000 : Integer.parseInt(options.get("maxTokens"));
        String systemPrompt = options.get("systemPrompt");
        String inputKey = options.get("inputKey");
        return (exchange, call) -> {
            McpSyncServerExchange client = require(call, "sampling");
            McpSchema.ClientCapabilities declared = client.getClientCapabilities();
            requireCapability(client, "sampling", "sampling/createMessage", declared != null && declared.sampling() != null);
            McpSchema.CreateMessageRequest request = McpSchema.CreateMessageRequest.builder()
                    .messages(List.of(new McpSchema.SamplingMessage(McpSchema.Role.USER,
                            new McpSchema.TextContent(ToolResults.text(exchange.getMessage().getBody())))))
                    .systemPrompt(systemPrompt).maxTokens(maxTokens).build();
            McpSchema.CreateMessageResult result;
            try {
                result = inputKey != null && client instanceof KeyedClientInput keyed
                        ? keyed.createMessage(inputKey, request) : client.createMessage(request);
            } catch (ClientInputPending pending) {
                exchange.setRouteStop(true);
                return;
            }
            exchange.getMessage().setHeader(Headers.SAMPLING_MODEL, result.model());
            exchange.getMessage().setBody(result.content() instanceof McpSchema.TextContent t ? t.text() : result.content());
        };
    }

    private static Action elicitation(UriOptions options) {
        Map<String, Object> schema = options.json("requestedSchema");
        String inputKey = options.get("inputKey");
        return (exchange, call) -> {
            McpSyncServerExchange client = require(call, "elicitation");
            McpSchema.ClientCapabilities declared = client.getClientCapabilities();
            requireCapability(client, "elicitation", "elicitation/create", declared != null && declared.elicitation() != null);
            @SuppressWarnings("unchecked")
            Map<String, Object> requested = exchange.getMessage().getHeader("CaravanRequestedSchema", schema, Map.class);
            McpSchema.ElicitResult result;
            try {
                McpSchema.ElicitRequest request = McpSchema.ElicitFormRequest
                        .builder(ToolResults.text(exchange.getMessage().getBody()),
                                requested == null ? Map.of("type", "object", "properties", Map.of()) : requested)
                        .build();
                result = inputKey != null && client instanceof KeyedClientInput keyed
                        ? keyed.createElicitation(inputKey, request) : client.createElicitation(request);
            } catch (ClientInputPending pending) {
                // 2026-07-28: the answer comes with the client's retry; nothing after the ask runs on this round.
                exchange.setRouteStop(true);
                return;
            }
            exchange.getMessage().setHeader(Headers.ELICITATION_ACTION, result.action().name().toLowerCase());
            exchange.getMessage().setBody(result.content() == null ? Map.of() : result.content());
        };
    }

    private static Action roots(UriOptions options) {
        String inputKey = options.get("inputKey");
        return (exchange, call) -> {
            McpSyncServerExchange client = require(call, "roots");
            McpSchema.ClientCapabilities declared = client.getClientCapabilities();
            requireCapability(client, "roots", "roots/list", declared != null && declared.roots() != null);
            McpSchema.ListRootsResult result;
            try {
                result = client instanceof KeyedClientInput keyed ? keyed.listRootsUnder(inputKey) : client.listRoots();
            } catch (ClientInputPending pending) {
                exchange.setRouteStop(true);
                return;
            }
            List<Map<String, Object>> roots = new ArrayList<>();
            for (McpSchema.Root root : result.roots() == null ? List.<McpSchema.Root>of() : result.roots()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("uri", root.uri());
                if (root.name() != null) {
                    entry.put("name", root.name());
                }
                roots.add(entry);
            }
            exchange.getMessage().setBody(roots);
        };
    }

    private static void requireCapability(McpSyncServerExchange client, String capability, String method, boolean declared) {
        if (declared) {
            return;
        }
        if (client instanceof KeyedClientInput keyed) {
            keyed.capabilityMissing(capability);
        }
        throw new ToolFailure("This tool needs the client to support " + capability + " (" + method
                + "), and the connected client does not declare it.");
    }

    private static McpSyncServerExchange require(CallContext call, String what) {
        if (call.client() == null) {
            throw new ToolFailure("ai-client:" + what + " works only while serving an MCP call.");
        }
        return call.client();
    }
}
