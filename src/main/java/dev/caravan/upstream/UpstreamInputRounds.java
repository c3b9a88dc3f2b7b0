package dev.caravan.upstream;

import dev.caravan.core.CallContext;
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

    private Answers answers(String what, CallContext context, InputRequiredResult asked) {
        McpSyncServerExchange client = context == null ? null : context.client();
        Map<String, Object> responses = new LinkedHashMap<>();
        Map<String, InputRequest> requests = asked.inputRequests() == null ? Map.of() : asked.inputRequests();
        for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
            String key = e.getKey();
            Map<String, Object> request = json.convertValue(e.getValue(), MAP);
            String method = e.getValue() == null ? null : e.getValue().method();
            Object params = request == null ? null : request.getOrDefault("params", Map.of());
            if (client == null) {
                return new Answers(null, "Upstream '" + upstream + "' asked for input (" + method + ") during " + what
                        + ", and there is no MCP client to ask (the call comes from a route or the console).");
            }
            McpSchema.ClientCapabilities declared = client.getClientCapabilities();
            KeyedClientInput keyed = client instanceof KeyedClientInput k ? k : null;
            Object answer;
            if (McpSchema.METHOD_ELICITATION_CREATE.equals(method)) {
                if (declared == null || declared.elicitation() == null) {
                    return missing(keyed, "elicitation", what);
                }
                McpSchema.ElicitRequest question = json.convertValue(params, McpSchema.ElicitRequest.class);
                answer = keyed != null ? keyed.createElicitation(key, question) : client.createElicitation(question);
            } else if (McpSchema.METHOD_SAMPLING_CREATE_MESSAGE.equals(method)) {
                if (declared == null || declared.sampling() == null) {
                    return missing(keyed, "sampling", what);
                }
                McpSchema.CreateMessageRequest question = json.convertValue(params, McpSchema.CreateMessageRequest.class);
                answer = keyed != null ? keyed.createMessage(key, question) : client.createMessage(question);
            } else if (McpSchema.METHOD_ROOTS_LIST.equals(method)) {
                if (declared == null || declared.roots() == null) {
                    return missing(keyed, "roots", what);
                }
                answer = keyed != null ? keyed.listRootsUnder(key) : client.listRoots();
            } else {
                return new Answers(null, "Upstream '" + upstream + "' asked for input Caravan cannot relay (" + method
                        + ") during " + what + ".");
            }
            Map<String, Object> response = new LinkedHashMap<>(json.convertValue(answer, MAP));
            response.values().removeIf(java.util.Objects::isNull);
            responses.put(key, response);
        }
        return new Answers(responses, null);
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
