package dev.caravan.tool;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks call arguments against a tool's input schema and keeps only the declared ones. Simple checks
 * (required, type, enum) are done here so the message names the argument plainly; a full {@code argSchema} is
 * additionally validated by the SDK's JSON Schema validator.
 */
public final class ArgumentBinder {
    private final String tool;
    private final Map<String, Map<String, Object>> properties;
    private final List<String> required;
    private final Map<String, Object> fullSchema;

    @SuppressWarnings("unchecked")
    private ArgumentBinder(String tool, Map<String, Object> schema, boolean validateFully) {
        this.tool = tool;
        Object props = schema.getOrDefault("properties", Map.of());
        this.properties = props instanceof Map<?, ?> m ? (Map<String, Map<String, Object>>) m : Map.of();
        Object req = schema.get("required");
        this.required = req instanceof List<?> l ? (List<String>) l : List.of();
        this.fullSchema = validateFully ? schema : null;
    }

    static ArgumentBinder forSchema(String tool, Map<String, Object> schema, boolean validateFully) {
        return new ArgumentBinder(tool, schema, validateFully);
    }

    /** The declared arguments present in the call, checked; undeclared ones are dropped. */
    public Map<String, Object> bind(Map<String, Object> arguments) {
        Map<String, Object> args = arguments == null ? Map.of() : arguments;
        for (String name : required) {
            if (args.get(name) == null) {
                throw new ArgumentException("Missing required argument '" + name + "'" + describe(name)
                        + " for tool '" + tool + "'.");
            }
        }
        Map<String, Object> bound = new LinkedHashMap<>();
        properties.forEach((name, property) -> {
            Object value = args.get(name);
            if (value == null) {
                return;
            }
            Object type = property == null ? null : property.get("type");
            if (type instanceof String t && !hasType(value, t)) {
                throw new ArgumentException("Argument '" + name + "' must be " + article(t) + ", got "
                        + typeOf(value) + " " + preview(value) + ".");
            }
            Object allowed = property == null ? null : property.get("enum");
            if (allowed instanceof Collection<?> values && values.stream().noneMatch(v -> sameValue(v, value))) {
                throw new ArgumentException("Argument '" + name + "' must be one of " + values + ", got "
                        + preview(value) + ".");
            }
            bound.put(name, value);
        });
        if (fullSchema != null) {
            JsonSchemaValidator.ValidationResponse response = McpJsonDefaults.getSchemaValidator()
                    .validate(fullSchema, args);
            if (!response.valid()) {
                throw new ArgumentException("Arguments for tool '" + tool + "' do not match its schema: "
                        + response.errorMessage());
            }
        }
        return bound;
    }

    private String describe(String name) {
        Map<String, Object> property = properties.get(name);
        if (property == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        sb.append(property.getOrDefault("type", "any"));
        if (property.get("description") != null) {
            sb.append(": ").append(property.get("description"));
        }
        return sb.append(')').toString();
    }

    static boolean hasType(Object value, String type) {
        return switch (type) {
            case "string" -> value instanceof String;
            case "boolean" -> value instanceof Boolean;
            case "number" -> value instanceof Number;
            case "integer" -> value instanceof Integer || value instanceof Long || value instanceof Short
                    || value instanceof BigInteger
                    || (value instanceof Number n && isWhole(n));
            case "array" -> value instanceof List<?>;
            case "object" -> value instanceof Map<?, ?>;
            default -> true;
        };
    }

    /** Numbers compare by value: a call's 1 (Integer or Long) or 1.0 matches an enum's 1, whatever Java types hold them. */
    private static boolean sameValue(Object allowed, Object value) {
        if (allowed instanceof Number a && value instanceof Number v) {
            try {
                return new BigDecimal(a.toString()).compareTo(new BigDecimal(v.toString())) == 0;
            } catch (NumberFormatException e) {
                return a.equals(v);
            }
        }
        return allowed != null && allowed.equals(value);
    }

    private static boolean isWhole(Number n) {
        try {
            return new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String article(String type) {
        return (type.startsWith("a") || type.startsWith("i") || type.startsWith("o") ? "an " : "a ") + type;
    }

    private static String typeOf(Object value) {
        if (value instanceof String) return "string";
        if (value instanceof Boolean) return "boolean";
        if (value instanceof Number) return "number";
        if (value instanceof List<?>) return "array";
        if (value instanceof Map<?, ?>) return "object";
        return value.getClass().getSimpleName();
    }

    private static String preview(Object value) {
        String s = value instanceof String str ? "\"" + str + "\"" : String.valueOf(value);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
