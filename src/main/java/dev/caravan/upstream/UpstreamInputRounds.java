package dev.caravan.upstream;

import dev.caravan.core.CallContext;
import dev.caravan.tool.ClientInputPending;
import dev.caravan.tool.KeyedClientInput;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.modern.McpSchema.InputRequest;
import io.modelcontextprotocol.modern.McpSchema.InputRequiredResult;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@code input_required} rounds of one request to a 2026-07-28 upstream, answered by the client the request is
 * made for. Caravan drives the rounds itself ({@code callOnce}/{@code getOnce}, then the retry with the answers and
 * the upstream's request state) instead of the SDK client's handlers, which know form and URL elicitation only:
 * each input request (elicitation, sampling, roots) is asked of the calling client in its own era, through its
 * exchange. A 2025 caller gets it as a server-to-client request and its answer goes upstream at once; a 2026-07-28
 * caller's exchange answers from its own request state or stops the call with {@link dev.caravan.tool.ClientInputPending}
 * (its endpoint then answers {@code input_required}, under the upstream's key, and this call is made again from the
 * start when the caller retries: the upstream's own earlier questions are then answered from the caller's state).
 */
final class UpstreamInputRounds {
    /** A bound on rounds per request, against an upstream that never stops asking. */
    static final int MAX_ROUNDS = 16;
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {
    };

    private final String upstream;
    private final McpJsonMapper json;

    UpstreamInputRounds(String upstream, McpJsonMapper json) {
        this.upstream = upstream;
        this.json = json;
    }

    /** What a round ended with: the final outcome, or a refusal for the caller (the request is not completed). */
    private record Answers(Map<String, Object> responses, String refusal) {
    }

    /**
     * Runs rounds until the upstream completes: {@code send} makes one round with the answers and the state of the
     * previous one (both null on the first), {@code complete} converts the final outcome, {@code refused} makes the
     * caller's answer when an input cannot be relayed.
     */
    <R> Mono<R> run(String what, CallContext context, BiFunction<Map<String, Object>, String, Mono<?>> send,
                    Function<Object, R> complete, Function<String, R> refused) {
        return round(what, context, send, complete, refused, null, null, 1);
    }

    private <R> Mono<R> round(String what, CallContext context, BiFunction<Map<String, Object>, String, Mono<?>> send,
                              Function<Object, R> complete, Function<String, R> refused,
                              Map<String, Object> responses, String state, int n) {
        return send.apply(responses, state).flatMap(outcome -> {
            if (!(outcome instanceof InputRequiredResult asked)) {
                return Mono.just(complete.apply(outcome));
            }
            if (n >= MAX_ROUNDS) {
                return Mono.just(refused.apply("Upstream '" + upstream + "' asked for input " + n + " times during "
                        + what + " without finishing; Caravan stopped it."));
            }
            // Asking a client blocks (a 2025 caller answers a server-to-client request): off the I/O thread.
            return Mono.fromCallable(() -> answers(what, context, asked)).subscribeOn(Schedulers.boundedElastic())
                    .flatMap(a -> a.refusal() != null ? Mono.just(refused.apply(a.refusal()))
                            : round(what, context, send, complete, refused, a.responses(), asked.requestState(), n + 1));
        });
    }

    /**
     * The caller's answers to one round of the upstream's questions. Every capability is checked before anything is
     * asked; a 2026-07-28 caller gets all the questions it has no recorded answer for in one round of its own (as a
     * route's {@code ai-client:ask} step), a 2025 caller is asked them one after the other.
     */
    private Answers answers(String what, CallContext context, InputRequiredResult asked) {
        McpSyncServerExchange client = context == null ? null : context.client();
        Map<String, InputRequest> requests = asked.inputRequests() == null ? Map.of() : asked.inputRequests();
        KeyedClientInput keyed = client instanceof KeyedClientInput k ? k : null;
        for (InputRequest request : requests.values()) {
            String method = request == null ? null : request.method();
            if (client == null) {
                return new Answers(null, "Upstream '" + upstream + "' asked for input (" + method + ") during " + what
                        + ", and there is no MCP client to ask (the call comes from a route or the console).");
            }
            String capability = capability(method);
            if (capability == null) {
                return new Answers(null, "Upstream '" + upstream + "' asked for input Caravan cannot relay (" + method
                        + ") during " + what + ".");
            }
            if (!declared(client.getClientCapabilities(), capability)) {
                return missing(keyed, capability, what);
            }
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        Runnable asks = () -> {
            for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
                try {
                    Map<String, Object> response = new LinkedHashMap<>(json.convertValue(
                            ask(client, keyed, e.getKey(), e.getValue()), MAP));
                    response.values().removeIf(Objects::isNull);
                    responses.put(e.getKey(), response);
                } catch (ClientInputPending pending) {
                    // 2026-07-28 caller: noted for its round; the next question goes into the same round.
                }
            }
        };
        if (keyed != null) {
            keyed.together(asks);
        } else {
            asks.run();
        }
        return new Answers(responses, null);
    }

    private Object ask(McpSyncServerExchange client, KeyedClientInput keyed, String key, InputRequest request) {
        Map<String, Object> asJson = json.convertValue(request, MAP);
        Object params = asJson == null ? Map.of() : asJson.getOrDefault("params", Map.of());
        return switch (request.method()) {
            case McpSchema.METHOD_ELICITATION_CREATE -> {
                McpSchema.ElicitRequest question = json.convertValue(params, McpSchema.ElicitRequest.class);
                yield keyed != null ? keyed.createElicitation(key, question) : client.createElicitation(question);
            }
            case McpSchema.METHOD_SAMPLING_CREATE_MESSAGE -> {
                McpSchema.CreateMessageRequest question = json.convertValue(params,
                        McpSchema.CreateMessageRequest.class);
                yield keyed != null ? keyed.createMessage(key, question) : client.createMessage(question);
            }
            default -> keyed != null ? keyed.listRootsUnder(key) : client.listRoots();
        };
    }

    private static String capability(String method) {
        if (McpSchema.METHOD_ELICITATION_CREATE.equals(method)) {
            return "elicitation";
        }
        if (McpSchema.METHOD_SAMPLING_CREATE_MESSAGE.equals(method)) {
            return "sampling";
        }
        return McpSchema.METHOD_ROOTS_LIST.equals(method) ? "roots" : null;
    }

    private static boolean declared(McpSchema.ClientCapabilities declared, String capability) {
        return declared != null && switch (capability) {
            case "elicitation" -> declared.elicitation() != null;
            case "sampling" -> declared.sampling() != null;
            default -> declared.roots() != null;
        };
    }

    /**
     * The caller did not declare what the upstream asks for: a 2026-07-28 caller's request then fails with -32021
     * naming it (its endpoint does that on {@code capabilityMissing}); a 2025 caller gets an error result.
     */
    private Answers missing(KeyedClientInput keyed, String capability, String what) {
        if (keyed != null) {
            keyed.capabilityMissing(capability);
        }
        return new Answers(null, "Upstream '" + upstream + "' needs the client capability " + capability + " for "
                + what + ", and your client did not declare it. Use a client that supports " + capability + ".");
    }
}
