package dev.caravan.tool;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The raw options of an ai-* endpoint URI, read by name. The components take their options as a plain map
 * (instead of bean properties) because {@code parameter.X.*} and {@code argument.X.*} are open-ended.
 */
final class UriOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String uri;
    private final Map<String, String> values = new TreeMap<>();
    private final CamelContext context;

    UriOptions(CamelContext context, String uri, Map<String, Object> parameters) {
        this.context = context;
        this.uri = uri;
        parameters.forEach((k, v) -> values.put(k, v == null ? null : String.valueOf(v)));
        parameters.clear();
    }

    String uri() {
        return uri;
    }

    String get(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? null : v;
    }

    Boolean bool(String key) {
        String v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new RouteDefinitionException(uri + ": option '" + key + "' must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    Set<String> list(String key) {
        String v = get(key);
        Set<String> out = new LinkedHashSet<>();
        if (v != null) {
            Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return out;
    }

    /** Option names {@code prefix.NAME[.suffix]} grouped by NAME, in declaration (sorted) order. */
    Map<String, Map<String, String>> group(String prefix) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!k.startsWith(prefix + ".")) {
                return;
            }
            String rest = k.substring(prefix.length() + 1);
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            String attribute = dot < 0 ? "" : rest.substring(dot + 1);
            out.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(attribute, v);
        });
        return out;
    }

    /** A JSON document given inline or as a {@code classpath:} / {@code file:} reference. */
    @SuppressWarnings("unchecked")
    Map<String, Object> json(String key) {
        String v = get(key);
        if (v == null) {
            return null;
        }
        String text = v.trim();
        try {
            if (!text.startsWith("{")) {
                try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, text)) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return JSON.readValue(text, Map.class);
        } catch (Exception e) {
            throw new RouteDefinitionException(uri + ": option '" + key + "' is not a readable JSON object: "
                    + e.getMessage(), e);
        }
    }

    Set<String> keys() {
        return values.keySet();
    }

    static List<String> csv(String value) {
        return value == null ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
