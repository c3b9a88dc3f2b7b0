package dev.caravan.tool;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What an {@code ai-tool:NAME} route declares, with the same options as Apache Camel's own ai-tool so that
 * routes move between the two unchanged.
 */
public record ToolSpec(String name, String title, String description, Set<String> tags,
                       Map<String, Object> inputSchema, Map<String, Object> outputSchema,
                       McpSchema.ToolAnnotations annotations, ArgumentBinder arguments) {

    /** MCP allows 128; 64 is what LLM function-calling APIs accept, and exported names must fit. */
    static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");
    private static final Set<String> TYPES = Set.of("string", "integer", "number", "boolean", "array", "object");
    private static final Set<String> OPTIONS = Set.of("description", "title", "tags", "argSchema", "outputSchema",
            "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint");
    private static final Set<String> PARAMETER_ATTRIBUTES = Set.of("", "description", "required", "enum");

    static ToolSpec parse(String name, UriOptions options) {
        checkName(name, options.uri());
        for (String key : options.keys()) {
            if (!OPTIONS.contains(key) && !key.startsWith("parameter.")) {
                throw new RouteDefinitionException(options.uri() + ": unknown option '" + key + "'. Known options: "
                        + String.join(", ", new TreeSet<>(OPTIONS)) + ", parameter.NAME[.description|.required|.enum]");
            }
        }
        Map<String, Object> argSchema = options.json("argSchema");
        Map<String, Map<String, String>> parameters = options.group("parameter");
        if (argSchema != null && !parameters.isEmpty()) {
            throw new RouteDefinitionException(options.uri() + ": use either argSchema or parameter.* options, not both");
        }
        Map<String, Object> inputSchema = argSchema != null ? argSchema : schemaOf(parameters, options.uri());
        if (!"object".equals(inputSchema.get("type"))) {
            throw new RouteDefinitionException(options.uri() + ": argSchema must have \"type\": \"object\"");
        }
        Map<String, Object> outputSchema = options.json("outputSchema");
        checkSchema(options.uri(), "argSchema", inputSchema);
        checkSchema(options.uri(), "outputSchema", outputSchema);
        ArgumentBinder binder = ArgumentBinder.forSchema(name, inputSchema, argSchema != null);
        McpSchema.ToolAnnotations annotations = null;
        Boolean ro = options.bool("readOnlyHint"), de = options.bool("destructiveHint"),
                id = options.bool("idempotentHint"), ow = options.bool("openWorldHint");
        if (ro != null || de != null || id != null || ow != null || options.get("title") != null) {
            annotations = new McpSchema.ToolAnnotations(options.get("title"), ro, de, id, ow, null);
        }
        return new ToolSpec(name, options.get("title"), options.get("description"), options.list("tags"),
                inputSchema, outputSchema, annotations, binder);
    }

    private static void checkSchema(String uri, String option, Map<String, Object> schema) {
        if (schema == null) {
            return;
        }
        var response = McpJsonDefaults.getSchemaValidator().validateSchema(schema);
        if (!response.valid()) {
            throw new RouteDefinitionException(uri + ": " + option + " is not a valid JSON Schema: " + response.errorMessage());
        }
    }

    static void checkName(String name, String uri) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RouteDefinitionException(uri + ": name '" + name
                    + "' must be 1-64 characters of letters, digits, '_', '-' or '.'");
        }
    }

    private static Map<String, Object> schemaOf(Map<String, Map<String, String>> parameters, String uri) {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        parameters.forEach((param, attributes) -> {
            if (param.regionMatches(true, 0, "camel", 0, 5)) {
                throw new RouteDefinitionException(uri + ": parameter '" + param
                        + "' is refused: names starting with 'camel' are reserved for Camel headers");
            }
            for (String attribute : attributes.keySet()) {
                if (!PARAMETER_ATTRIBUTES.contains(attribute)) {
                    throw new RouteDefinitionException(uri + ": unknown option 'parameter." + param + "." + attribute
                            + "' (use .description, .required or .enum)");
                }
            }
            String type = attributes.getOrDefault("", "string").trim();
            if (!TYPES.contains(type)) {
                throw new RouteDefinitionException(uri + ": parameter '" + param + "' has unknown type '" + type
                        + "' (use one of " + String.join(", ", new TreeSet<>(TYPES)) + ")");
            }
            Map<String, Object> property = new LinkedHashMap<>();
            property.put("type", type);
            if (attributes.get("description") != null) {
                property.put("description", attributes.get("description"));
            }
            if (attributes.get("enum") != null) {
                property.put("enum", enumValues(type, UriOptions.csv(attributes.get("enum")), param, uri));
            }
            properties.put(param, property);
            if (Boolean.parseBoolean(attributes.getOrDefault("required", "false").trim())) {
                required.add(param);
            }
        });
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        return schema;
    }

    /** Enum entries are written as text; a numeric or boolean parameter's schema must list numbers or booleans. */
    private static List<Object> enumValues(String type, List<String> written, String param, String uri) {
        List<Object> values = new ArrayList<>();
        for (String value : written) {
            try {
                values.add(switch (type) {
                    case "integer" -> new BigDecimal(value).toBigIntegerExact();
                    case "number" -> new BigDecimal(value);
                    case "boolean" -> {
                        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                            throw new NumberFormatException(value);
                        }
                        yield Boolean.parseBoolean(value);
                    }
                    default -> value;
                });
            } catch (ArithmeticException | NumberFormatException e) {
                throw new RouteDefinitionException(uri + ": parameter '" + param + "' is of type " + type
                        + " but its enum lists '" + value + "'");
            }
        }
        return values;
    }

    public McpSchema.Tool toMcpTool() {
        McpSchema.Tool.Builder b = McpSchema.Tool.builder().name(name).title(title).description(description)
                .inputSchema(inputSchema).annotations(annotations);
        if (outputSchema != null) {
            b.outputSchema(outputSchema);
        }
        return b.build();
    }
}
