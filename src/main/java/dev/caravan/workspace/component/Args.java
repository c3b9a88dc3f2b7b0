package dev.caravan.workspace.component;

import dev.caravan.tool.ToolFailure;
import org.apache.camel.Message;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Tool arguments as the ai-tool consumer put them in headers, read with messages an agent can act on. */
final class Args {
    private final Message message;

    Args(Message message) {
        this.message = message;
    }

    Object raw(String name) {
        return message.getHeader(name);
    }

    String string(String name) {
        Object v = raw(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new ToolFailure("Argument '" + name + "' must be a string.");
        }
        return String.valueOf(v);
    }

    String required(String name) {
        String v = string(name);
        if (v == null) {
            throw new ToolFailure("Argument '" + name + "' is required.");
        }
        return v;
    }

    /** A path argument; absent means the workspace root when {@code rootByDefault}. */
    String path(String name, boolean rootByDefault) {
        String v = string(name);
        if (v == null) {
            if (rootByDefault) {
                return "";
            }
            throw new ToolFailure("Argument '" + name + "' is required: a path relative to the workspace root, "
                    + "e.g. 'docs/notes.md'.");
        }
        return v;
    }

    Integer integer(String name, int min, int max) {
        Object v = raw(name);
        if (v == null || v instanceof String s && s.isBlank()) {
            return null;
        }
        long n;
        try {
            BigDecimal d = v instanceof Number num ? new BigDecimal(num.toString()) : new BigDecimal(String.valueOf(v).trim());
            n = d.longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ToolFailure("Argument '" + name + "' must be a whole number, got '" + v + "'.");
        }
        if (n < min || n > max) {
            throw new ToolFailure("Argument '" + name + "' must be between " + min + " and " + max + ", got " + n + ".");
        }
        return (int) n;
    }

    boolean bool(String name) {
        Object v = raw(name);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ToolFailure("Argument '" + name + "' must be true or false, got '" + v + "'.");
    }

    /** A list of strings: a JSON array, or one comma-separated string. */
    List<String> strings(String name) {
        Object v = raw(name);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (o == null || o instanceof Map || o instanceof List) {
                    throw new ToolFailure("Argument '" + name + "' must be a list of strings.");
                }
                out.add(String.valueOf(o));
            }
            return out;
        }
        if (v instanceof Map) {
            throw new ToolFailure("Argument '" + name + "' must be a list of strings.");
        }
        Arrays.stream(String.valueOf(v).split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    /** A list of objects, e.g. edits. */
    List<Map<?, ?>> objects(String name) {
        Object v = raw(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new ToolFailure("Argument '" + name + "' must be a list of objects.");
        }
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new ToolFailure("Argument '" + name + "' must be a list of objects.");
            }
            out.add(m);
        }
        return out;
    }
}
