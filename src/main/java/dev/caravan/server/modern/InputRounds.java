package dev.caravan.server.modern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.caravan.tool.ClientInputPending;
import dev.caravan.tool.ToolFailure;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The client answers one tool call has collected over its {@code input_required} rounds (2026-07-28).
 * <p>
 * The route re-runs from its start on every round. Its n-th ask is answered from the n-th recorded answer when
 * that answer was given to the same question (same method and parameters); otherwise it and every later answer
 * are dropped and the question goes to the client. Everything travels in the request state, which the SDK seals
 * with the shared key and binds to the caller, the method and the tool; the arguments are bound here.
 */
final class InputRounds {
    /** Sorted keys, so the digest of the arguments does not depend on the order the client wrote them in. */
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    record Answer(String method, String question, Map<String, Object> result) {
    }

    record Pending(String key, String method, String question) {
    }

    /** What the request state holds (before the SDK seals it). */
    record State(int v, String arguments, List<Answer> answers, Pending pending) {
    }

    private final boolean enabled;
    private final String arguments;
    private final List<Answer> answers;
    private int next;
    private Pending pending;
    private McpSchema.InputRequest pendingRequest;
    private String missingCapability;

    private InputRounds(boolean enabled, String arguments, List<Answer> answers) {
        this.enabled = enabled;
        this.arguments = arguments;
        this.answers = answers;
    }

    /** For features that cannot ask the client in this era (resources, completions). */
    static InputRounds none() {
        return new InputRounds(false, null, new ArrayList<>());
    }

    /**
     * The rounds of a tools/call or prompts/get: {@code openedState} is the request state the SDK has verified (or null on the
     * first round), {@code inputResponses} the client's answers to the previous round.
     */
    static InputRounds open(Object toolArguments, String openedState, Map<String, Object> inputResponses) {
        String arguments = digest(toolArguments == null ? Map.of() : toolArguments);
        if (openedState == null) {
            return new InputRounds(true, arguments, new ArrayList<>());
        }
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
        Pending pending = state.pending();
        if (pending != null) {
            Object answer = inputResponses == null ? null : inputResponses.get(pending.key());
            if (!(answer instanceof Map<?, ?> map)) {
                throw McpException.invalidParams("inputResponses has no answer for '" + pending.key()
                        + "': answer that input request, or call the tool again without requestState");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) map;
            answers.add(new Answer(pending.method(), pending.question(), result));
        }
        return new InputRounds(true, arguments, answers);
    }

    /**
     * The client's answer to this question, recorded on an earlier round; or, when there is none, notes the
     * question (under {@code key}, or {@code ask-N}) and throws {@link ClientInputPending} so the route stops.
     */
    synchronized Map<String, Object> answer(String key, String method, Map<String, Object> params) {
        if (!enabled) {
            throw new ToolFailure("Asking the client (" + method + ") works in tools only on the 2026-07-28 protocol.");
        }
        if (pending != null) {
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
        pending = new Pending(key != null ? key : "ask-" + n, method, question);
        pendingRequest = new McpSchema.UnknownInputRequest(method, params);
        throw new ClientInputPending(method);
    }

    /** The route needed a capability the client did not declare (the first one it met). */
    synchronized void capabilityMissing(String capability) {
        if (missingCapability == null) {
            missingCapability = capability;
        }
    }

    /** The request ends with -32021 naming this capability (null: none was missing). */
    synchronized String missingCapability() {
        return missingCapability;
    }

    synchronized boolean isPending() {
        return pending != null;
    }

    /** The result that asks the client, carrying the answers so far (the SDK seals the state). */
    synchronized McpSchema.InputRequiredResult inputRequired() {
        try {
            String state = CANONICAL.writeValueAsString(new State(1, arguments, answers, pending));
            return new McpSchema.InputRequiredResult(Map.of(pending.key(), pendingRequest), state, null, null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("request state not serialisable", e);
        }
    }

    private static String digest(Object value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(
                    CANONICAL.writeValueAsString(value).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
