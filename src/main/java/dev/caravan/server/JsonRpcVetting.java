package dev.caravan.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a POSTed MCP body once, strictly (no duplicate keys, nothing after the message), and checks the
 * JSON-RPC 2.0 shape the SDK relies on, so that malformed input gets a JSON-RPC error naming what is wrong
 * instead of reaching the SDK, which answers some of it with a 500 and an internal class name.
 */
final class JsonRpcVetting {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int INVALID_PARAMS = -32602;

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']{0,80})");

    private JsonRpcVetting() {
    }

    /**
     * The outcome: either {@code message} (valid) or an error with its HTTP status, JSON-RPC code and the id to
     * answer with (JSON null when the id is unknown or unusable).
     */
    record Outcome(JsonNode message, int status, int code, String error, JsonNode id) {
        boolean ok() {
            return message != null;
        }

        static Outcome refused(int status, int code, String error, JsonNode id) {
            return new Outcome(null, status, code, error, id == null ? NullNode.getInstance() : id);
        }
    }

    static Outcome vet(byte[] body) {
        JsonNode message;
        try {
            message = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            return Outcome.refused(400, PARSE_ERROR, parseError(e), null);
        } catch (IOException e) {
            return Outcome.refused(400, PARSE_ERROR, "Parse error: the body is not valid JSON", null);
        }
        if (message == null || message.isMissingNode() || !message.isObject()) {
            return Outcome.refused(400, INVALID_REQUEST, "Invalid Request: expected one JSON-RPC 2.0 message object"
                    + (message != null && message.isArray() ? " (batches are not supported)" : ""), null);
        }
        if (!"2.0".equals(message.path("jsonrpc").asText(null)) || !message.path("jsonrpc").isTextual()) {
            return Outcome.refused(400, INVALID_REQUEST, "Invalid Request: \"jsonrpc\" must be \"2.0\"", null);
        }
        JsonNode id = message.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber() || id.isNull())) {
            return Outcome.refused(400, INVALID_REQUEST, "Invalid Request: \"id\" must be a string or an integer", null);
        }
        JsonNode method = message.get("method");
        if (method == null) {
            if (!message.has("result") && !message.has("error")) {
                return Outcome.refused(400, INVALID_REQUEST,
                        "Invalid Request: a message needs \"method\" (request, notification) or \"result\"/\"error\" (response)", id);
            }
            if (id == null || id.isNull()) {
                return Outcome.refused(400, INVALID_REQUEST, "Invalid Request: a response needs the \"id\" of the request it answers", null);
            }
            return new Outcome(message, 0, 0, null, id);
        }
        if (!method.isTextual() || method.asText().isEmpty()) {
            return Outcome.refused(400, INVALID_REQUEST, "Invalid Request: \"method\" must be a non-empty string", id);
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject() && !params.isArray()) {
            return Outcome.refused(400, INVALID_REQUEST, "Invalid Request: \"params\" must be an object", id);
        }
        if (id != null && "tools/call".equals(method.asText())) {
            String wrong = toolsCallParams(params);
            if (wrong != null) {
                // A well-formed request with bad parameters: answered like any JSON-RPC error, on HTTP 200.
                return Outcome.refused(200, INVALID_PARAMS, "Invalid params: " + wrong, id);
            }
        }
        return new Outcome(message, 0, 0, null, id);
    }

    private static String toolsCallParams(JsonNode params) {
        if (params == null || !params.isObject()) {
            return "tools/call needs \"params\": {\"name\": TOOL, \"arguments\": {...}}";
        }
        if (!params.path("name").isTextual()) {
            return "tools/call needs \"params.name\", the tool's name as a string";
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
            return "\"params.arguments\" must be an object of argument names to values, not " + kind(arguments);
        }
        return null;
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "an array" : node.isTextual() ? "a string" : node.isNumber() ? "a number"
                : node.isBoolean() ? "a boolean" : "that";
    }

    /** Jackson's message without its source excerpt or location internals. */
    private static String parseError(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher dup = DUPLICATE.matcher(original);
        if (dup.find()) {
            return "Parse error: key '" + dup.group(1) + "' appears more than once in an object";
        }
        if (e instanceof MismatchedInputException && original.startsWith("Trailing token")) {
            return "Parse error: text after the JSON message; send exactly one JSON value per request";
        }
        if (original.contains("Unrecognized token") || original.contains("Unexpected character")) {
            if (e.getLocation() != null && e.getLocation().getCharOffset() > 0 || e.getLocation() != null
                    && e.getLocation().getByteOffset() > 0) {
                // With trailing-token detection on, Jackson reads the next token first; garbage there lands here.
                return "Parse error: the body is not valid JSON (or has text after the JSON message) near line "
                        + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            }
        }
        return "Parse error: the body is not valid JSON";
    }
}
