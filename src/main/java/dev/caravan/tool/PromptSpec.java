package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an {@code ai-prompt:NAME} route declares: {@code argument.X.description|title|required|completion}.
 * Arguments become headers; the route's body becomes the prompt's messages.
 */
public record PromptSpec(String name, String title, String description, Set<String> tags,
                         List<McpSchema.PromptArgument> arguments, Map<String, List<String>> completions) {

    private static final Set<String> OPTIONS = Set.of("title", "description", "tags");
    private static final Set<String> ARGUMENT_ATTRIBUTES = Set.of("", "title", "description", "required", "completion");

    static PromptSpec parse(String name, UriOptions options) {
        ToolSpec.checkName(name, options.uri());
        for (String key : options.keys()) {
            if (!OPTIONS.contains(key) && !key.startsWith("argument.")) {
                throw new RouteDefinitionException(options.uri() + ": unknown option '" + key
                        + "'. Known options: description, tags, title, argument.NAME.(description|title|required|completion)");
            }
        }
        List<McpSchema.PromptArgument> arguments = new ArrayList<>();
        Map<String, List<String>> completions = new LinkedHashMap<>();
        options.group("argument").forEach((arg, attrs) -> {
            if (arg.regionMatches(true, 0, "camel", 0, 5)) {
                throw new RouteDefinitionException(options.uri() + ": argument '" + arg
                        + "' is refused: names starting with 'camel' are reserved for Camel headers");
            }
            for (String attribute : attrs.keySet()) {
                if (!ARGUMENT_ATTRIBUTES.contains(attribute)) {
                    throw new RouteDefinitionException(options.uri() + ": unknown option 'argument." + arg + "." + attribute + "'");
                }
            }
            arguments.add(new McpSchema.PromptArgument(arg, attrs.get("title"), attrs.get("description"),
                    Boolean.parseBoolean(attrs.getOrDefault("required", "false").trim())));
            if (attrs.containsKey("completion")) {
                completions.put(arg, UriOptions.csv(attrs.get("completion")));
            }
        });
        return new PromptSpec(name, options.get("title"), options.get("description"), options.list("tags"),
                arguments, completions);
    }

    public McpSchema.Prompt toMcpPrompt() {
        return new McpSchema.Prompt(name, title, description, arguments);
    }

    /** The arguments of a prompts/get request, checked for required ones. */
    public Map<String, Object> bind(Map<String, Object> given) {
        Map<String, Object> args = given == null ? Map.of() : given;
        Map<String, Object> bound = new LinkedHashMap<>();
        for (McpSchema.PromptArgument argument : arguments) {
            Object value = args.get(argument.name());
            if (value == null && Boolean.TRUE.equals(argument.required())) {
                throw new ArgumentException("Missing required argument '" + argument.name() + "' for prompt '" + name + "'.");
            }
            if (value != null) {
                bound.put(argument.name(), value);
            }
        }
        return bound;
    }
}
