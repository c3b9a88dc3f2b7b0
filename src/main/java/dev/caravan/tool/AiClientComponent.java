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
import java.util.Set;
import java.util.TreeSet;

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
 * <li>{@code ask?input.KEY=elicitation|sampling|roots&input.KEY.message=TEXT...}: several questions at once, asked
 * in one 2026-07-28 round (in order of their keys, one after the other on a 2025 session); body out = a map of
 * KEY to what the single-question step would have made the body, header {@value Headers#ELICITATION_ACTIONS} =
 * KEY to accept / decline / cancel for each elicitation</li>
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
            case "ask" -> ask(options);
            default -> throw new RouteDefinitionException(uri + ": unknown action '" + remaining
                    + "' (use log, progress, sampling, elicitation, roots or ask)");
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
            requireCapabilities(client, List.of(Kind.SAMPLING));
            McpSchema.CreateMessageResult result;
            try {
                result = sample(client, inputKey, ToolResults.text(exchange.getMessage().getBody()), maxTokens, systemPrompt);
            } catch (ClientInputPending pending) {
                exchange.setRouteStop(true);
                return;
            }
            exchange.getMessage().setHeader(Headers.SAMPLING_MODEL, result.model());
            exchange.getMessage().setBody(reply(result));
        };
    }

    private static Action elicitation(UriOptions options) {
        Map<String, Object> schema = options.json("requestedSchema");
        String inputKey = options.get("inputKey");
        return (exchange, call) -> {
            McpSyncServerExchange client = require(call, "elicitation");
            requireCapabilities(client, List.of(Kind.ELICITATION));
            @SuppressWarnings("unchecked")
            Map<String, Object> requested = exchange.getMessage().getHeader("CaravanRequestedSchema", schema, Map.class);
            McpSchema.ElicitResult result;
            try {
                result = elicit(client, inputKey, ToolResults.text(exchange.getMessage().getBody()), requested);
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
            requireCapabilities(client, List.of(Kind.ROOTS));
            McpSchema.ListRootsResult result;
            try {
                result = listRoots(client, inputKey);
            } catch (ClientInputPending pending) {
                exchange.setRouteStop(true);
                return;
            }
            exchange.getMessage().setBody(roots(result));
        };
    }

    /** The kinds of question a route can ask, with the capability and method each needs. */
    private enum Kind {
        ELICITATION("elicitation", "elicitation/create", Set.of("message", "requestedSchema")),
        SAMPLING("sampling", "sampling/createMessage", Set.of("message", "maxTokens", "systemPrompt")),
        ROOTS("roots", "roots/list", Set.of());

        final String capability;
        final String method;
        final Set<String> attributes;

        Kind(String capability, String method, Set<String> attributes) {
            this.capability = capability;
            this.method = method;
            this.attributes = attributes;
        }

        boolean declaredBy(McpSchema.ClientCapabilities declared) {
            return declared != null && switch (this) {
                case ELICITATION -> declared.elicitation() != null;
                case SAMPLING -> declared.sampling() != null;
                case ROOTS -> declared.roots() != null;
            };
        }
    }

    /** One question of an {@code ai-client:ask} step, read from its {@code input.KEY.*} options. */
    private record Question(String key, Kind kind, String message, Map<String, Object> schema, int maxTokens,
                            String systemPrompt) {
    }

    /**
     * Several questions in one step: on 2026-07-28 they go to the client in one {@code input_required} round
     * (a route of one such step takes two rounds, whatever the number of questions), so questions that do not
     * depend on each other's answers cost one retry. Declared like ai-tool's {@code parameter.X} options.
     */
    private static Action ask(UriOptions options) {
        List<Question> questions = new ArrayList<>();
        options.group("input").forEach((key, attributes) -> {
            String kindName = attributes.get("");
            Kind kind = kindName == null ? null : switch (kindName.trim().toLowerCase()) {
                case "elicitation" -> Kind.ELICITATION;
                case "sampling" -> Kind.SAMPLING;
                case "roots" -> Kind.ROOTS;
                default -> null;
            };
            if (kind == null) {
                throw new RouteDefinitionException(options.uri() + ": input." + key + " must be elicitation, sampling or"
                        + " roots" + (kindName == null ? " (it has options but no kind)" : ", got '" + kindName + "'"));
            }
            for (String attribute : attributes.keySet()) {
                if (!attribute.isEmpty() && !kind.attributes.contains(attribute)) {
                    throw new RouteDefinitionException(options.uri() + ": input." + key + "." + attribute + " is not an"
                            + " option of a " + kind.capability + " question" + (kind.attributes.isEmpty() ? ""
                            : " (use " + String.join(", ", new TreeSet<>(kind.attributes)) + ")"));
                }
            }
            String message = options.get("input." + key + ".message");
            if (message == null && kind != Kind.ROOTS) {
                throw new RouteDefinitionException(options.uri() + ": input." + key + " needs input." + key
                        + ".message (the " + (kind == Kind.SAMPLING ? "prompt" : "question") + ")");
            }
            String tokens = options.get("input." + key + ".maxTokens");
            int maxTokens;
            try {
                maxTokens = tokens == null ? 1000 : Integer.parseInt(tokens.trim());
            } catch (NumberFormatException e) {
                throw new RouteDefinitionException(options.uri() + ": input." + key + ".maxTokens must be a number, got '"
                        + tokens + "'");
            }
            questions.add(new Question(key, kind, message, options.json("input." + key + ".requestedSchema"), maxTokens,
                    options.get("input." + key + ".systemPrompt")));
        });
        if (questions.isEmpty()) {
            throw new RouteDefinitionException(options.uri() + ": ask needs at least one question, e.g. "
                    + "input.user_name=elicitation&input.user_name.message=What is your name?");
        }
        List<Kind> kinds = questions.stream().map(Question::kind).distinct().toList();
        return (exchange, call) -> {
            McpSyncServerExchange client = require(call, "ask");
            requireCapabilities(client, kinds);
            Map<String, Object> answers = new LinkedHashMap<>();
            Map<String, String> actions = new LinkedHashMap<>();
            Runnable asks = () -> {
                for (Question q : questions) {
                    try {
                        switch (q.kind()) {
                            case ELICITATION -> {
                                McpSchema.ElicitResult r = elicit(client, q.key(), q.message(), q.schema());
                                actions.put(q.key(), r.action().name().toLowerCase());
                                answers.put(q.key(), r.content() == null ? Map.of() : r.content());
                            }
                            case SAMPLING -> answers.put(q.key(),
                                    reply(sample(client, q.key(), q.message(), q.maxTokens(), q.systemPrompt())));
                            case ROOTS -> answers.put(q.key(), roots(listRoots(client, q.key())));
                        }
                    } catch (ClientInputPending pending) {
                        // 2026-07-28: noted for this round; the next question goes into the same round.
                    }
                }
            };
            try {
                if (client instanceof KeyedClientInput keyed) {
                    keyed.together(asks);
                } else {
                    asks.run();
                }
            } catch (ClientInputPending pending) {
                // Nothing after the step runs until every question is answered (the client's retry).
                exchange.setRouteStop(true);
                return;
            }
            if (!actions.isEmpty()) {
                exchange.getMessage().setHeader(Headers.ELICITATION_ACTIONS, actions);
            }
            exchange.getMessage().setBody(answers);
        };
    }

    private static McpSchema.ElicitResult elicit(McpSyncServerExchange client, String key, String message,
                                                 Map<String, Object> schema) {
        McpSchema.ElicitRequest request = McpSchema.ElicitFormRequest
                .builder(message, schema == null ? Map.of("type", "object", "properties", Map.of()) : schema).build();
        return key != null && client instanceof KeyedClientInput keyed
                ? keyed.createElicitation(key, request) : client.createElicitation(request);
    }

    private static McpSchema.CreateMessageResult sample(McpSyncServerExchange client, String key, String prompt,
                                                        int maxTokens, String systemPrompt) {
        McpSchema.CreateMessageRequest request = McpSchema.CreateMessageRequest.builder()
                .messages(List.of(new McpSchema.SamplingMessage(McpSchema.Role.USER, new McpSchema.TextContent(prompt))))
                .systemPrompt(systemPrompt).maxTokens(maxTokens).build();
        return key != null && client instanceof KeyedClientInput keyed
                ? keyed.createMessage(key, request) : client.createMessage(request);
    }

    private static McpSchema.ListRootsResult listRoots(McpSyncServerExchange client, String key) {
        return client instanceof KeyedClientInput keyed ? keyed.listRootsUnder(key) : client.listRoots();
    }

    private static Object reply(McpSchema.CreateMessageResult result) {
        return result.content() instanceof McpSchema.TextContent t ? t.text() : result.content();
    }

    private static List<Map<String, Object>> roots(McpSchema.ListRootsResult result) {
        List<Map<String, Object>> roots = new ArrayList<>();
        for (McpSchema.Root root : result.roots() == null ? List.<McpSchema.Root>of() : result.roots()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("uri", root.uri());
            if (root.name() != null) {
                entry.put("name", root.name());
            }
            roots.add(entry);
        }
        return roots;
    }

    /** Every capability the questions need, checked before anything is asked. */
    private static void requireCapabilities(McpSyncServerExchange client, List<Kind> kinds) {
        McpSchema.ClientCapabilities declared = client.getClientCapabilities();
        List<Kind> missing = kinds.stream().filter(k -> !k.declaredBy(declared)).toList();
        if (missing.isEmpty()) {
            return;
        }
        if (client instanceof KeyedClientInput keyed) {
            missing.forEach(k -> keyed.capabilityMissing(k.capability));
        }
        throw new ToolFailure("This tool needs the client to support " + String.join(" and ", missing.stream()
                .map(k -> k.capability + " (" + k.method + ")").toList()) + ", and the connected client does not declare "
                + (missing.size() == 1 ? "it." : "them."));
    }

    private static McpSyncServerExchange require(CallContext call, String what) {
        if (call.client() == null) {
            throw new ToolFailure("ai-client:" + what + " works only while serving an MCP call.");
        }
        return call.client();
    }
}
