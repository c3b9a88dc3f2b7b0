package dev.caravan.server.modern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.caravan.core.Sha256;
import dev.caravan.tool.ClientInputPending;
import dev.caravan.tool.ToolFailure;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client answers one tool call has collected over its {@code input_required} rounds (2026-07-28).
 * <p>
 * The route re-runs from its start on every round. Its n-th ask is answered from the n-th recorded answer when
 * that answer was given to the same question (same method and parameters); otherwise it and every later answer
 * are dropped and the question goes to the client. Asks made {@link #together} go to the client in one round
 * (each takes the next number, in the order asked). Everything travels in the request state, which the SDK seals
 * with the shared key and binds to the caller, the method and the tool; the arguments are bound here.
 */
final class InputRounds {
    /**
     * Sorted keys, so the digest of the arguments does not depend on the order the client wrote them in. A single
     * pending question reads as a list of one: states sealed before asks could go together still open.
     */
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true);

    record Answer(String method, String question, Map<String, Object> result) {
    }

    record Pending(String key, String method, String question) {
    }

    /** What the request state holds (before the SDK seals it): the answers so far, then the questions of this round. */
    record State(int v, String arguments, List<Answer> answers, List<Pending> pending) {
    }

    private final boolean enabled;
    private final Object toolArguments;
    /** The arguments' digest, taken only when a state is opened or sealed (most calls never ask). */
    private String arguments;
    private final List<Answer> answers;
    private int next;
    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, McpSchema.InputRequest> pendingRequests = new LinkedHashMap<>();
    private boolean gathering;
    private final Set<String> missingCapabilities = new LinkedHashSet<>();

    private InputRounds(boolean enabled, Object toolArguments, String arguments, List<Answer> answers) {
        this.enabled = enabled;
        this.toolArguments = toolArguments;
        this.arguments = arguments;
        this.answers = answers;
    }

    /** For features that cannot ask the client in this era (resources, completions). */
    static InputRounds none() {
        return new InputRounds(false, null, null, new ArrayList<>());
    }

    /**
     * The rounds of a tools/call or prompts/get: {@code openedState} is the request state the SDK has verified (or null on the
     * first round), {@code inputResponses} the client's answers to the previous round.
     */
    static InputRounds open(Object toolArguments, String openedState, Map<String, Object> inputResponses) {
        if (openedState == null) {
            return new InputRounds(true, toolArguments, null, new ArrayList<>());
        }
        String arguments = digest(toolArguments == null ? Map.of() : toolArguments);
        State state;
        try {
            state = CANONICAL.readValue(openedState, State.class);
        } catch (JsonProcessingException e) {
            throw McpException.invalidParams("Invalid or expired requestState");
        }
        if (!arguments.equals(state.arguments())) {
            throw McpException.invalidParams("requestState belongs to a call with other arguments: send the same "
                    + "arguments as the first call, or call the tool again without requestState");
        }
        List<Answer> answers = new ArrayList<>(state.answers() == null ? List.of() : state.answers());
        for (Pending pending : state.pending() == null ? List.<Pending>of() : state.pending()) {
            if (pending == null) {
                continue;
            }
            Object answer = inputResponses == null ? null : inputResponses.get(pending.key());
            if (!(answer instanceof Map<?, ?> map)) {
                throw McpException.invalidParams("inputResponses has no answer for '" + pending.key()
                        + "': answer every input request of the round, or call the tool again without requestState");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) map;
            answers.add(new Answer(pending.method(), pending.question(), result));
        }
        return new InputRounds(true, toolArguments, arguments, answers);
    }

    /**
     * The client's answer to this question, recorded on an earlier round; or, when there is none, notes the
     * question (under {@code key}, or {@code ask-N}) and throws {@link ClientInputPending} so the route stops.
     */
    synchronized Map<String, Object> answer(String key, String method, Map<String, Object> params) {
        if (!enabled) {
            throw new ToolFailure("Asking the client (" + method + ") works in tools only on the 2026-07-28 protocol.");
        }
        if (!pending.isEmpty() && !gathering) {
            throw new ClientInputPending(method);
        }
        String question = digest(Map.of("method", method, "params", params == null ? Map.of() : params));
        int n = next++;
        if (n < answers.size()) {
            Answer recorded = answers.get(n);
            if (recorded.method().equals(method) && recorded.question().equals(question)) {
                return recorded.result();
            }
            // The route asked something else this time (its input changed): what came after is void too.
            answers.subList(n, answers.size()).clear();
        }
        String name = key != null ? key : "ask-" + n;
        if (pendingRequests.containsKey(name)) {
            throw new ToolFailure("Two questions of one round share the inputKey '" + name + "': give each its own.");
        }
        pending.add(new Pending(name, method, question));
        pendingRequests.put(name, new McpSchema.UnknownInputRequest(method, params));
        throw new ClientInputPending(method);
    }

    /**
     * Runs {@code asks} as one round: each of its asks that has no recorded answer is noted (that ask still throws
     * {@link ClientInputPending}, so the caller goes on to its next question) and, when any was noted, this throws
     * {@link ClientInputPending} once they all are, so they reach the client in one {@code input_required} result.
     */
    void together(Runnable asks) {
        synchronized (this) {
            if (!pending.isEmpty()) {
                throw new ClientInputPending("several questions");
            }
            gathering = true;
        }
        try {
            asks.run();
        } finally {
            synchronized (this) {
                gathering = false;
            }
        }
        if (isPending()) {
            throw new ClientInputPending("several questions");
        }
    }

    /** The route needed a capability the client did not declare. */
    synchronized void capabilityMissing(String capability) {
        missingCapabilities.add(capability);
    }

    /** The request ends with -32021 naming these capabilities (empty: none was missing). */
    synchronized Set<String> missingCapabilities() {
        return Set.copyOf(missingCapabilities);
    }

    synchronized boolean isPending() {
        return !pending.isEmpty();
    }

    /** The result that asks the client, carrying the answers so far (the SDK seals the state). */
    synchronized McpSchema.InputRequiredResult inputRequired() {
        try {
            if (arguments == null) {
                arguments = digest(toolArguments == null ? Map.of() : toolArguments);
            }
            String state = CANONICAL.writeValueAsString(new State(2, arguments, answers, pending));
            return new McpSchema.InputRequiredResult(new LinkedHashMap<>(pendingRequests), state, null, null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("request state not serialisable", e);
        }
    }

    private static String digest(Object value) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(Sha256.of(CANONICAL.writeValueAsString(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
