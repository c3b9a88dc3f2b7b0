package dev.caravan.connectors;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reading what every {@code connectors/*.yaml} file shares: one top-level key holding a list of mappings, each
 * with a unique name. Value helpers throw {@link IllegalArgumentException}; {@link #readList} turns those into the
 * connector's {@link ConnectorConfigException} with the item's position.
 */
public final class ConnectorYaml {

    private ConnectorYaml() {
    }

    /** Makes the connector's own exception, so its callers keep catching e.g. {@code UpstreamConfigException}. */
    @FunctionalInterface
    public interface Errors {
        ConnectorConfigException at(String file, Integer line, String reason);
    }

    /**
     * How one file is laid out.
     *
     * @param key          the single top-level key, e.g. {@code upstreams}
     * @param itemHint     completes "KEY[i] must be a mapping with ...", e.g. {@code name, transport, ...}
     * @param reportsLines whether errors carry the line of the offending item (syntax errors always do)
     * @param item         reads one mapping; throws IllegalArgumentException when it cannot be used
     * @param name         the item's name, which must be unique in the file
     * @param errors       the connector's exception constructor, e.g. {@code UpstreamConfigException::new}
     */
    public record ListLayout<T>(String key, String itemHint, boolean reportsLines, Function<Map<?, ?>, T> item,
                                Function<T, String> name, Errors errors) {
    }

    public static <T> List<T> readList(String yaml, String file, ListLayout<T> layout) {
        Errors errors = layout.errors();
        Node root = null;
        Object data;
        try {
            Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
            if (layout.reportsLines()) {
                root = parser.compose(new StringReader(yaml));
            }
            data = parser.load(yaml);
        } catch (MarkedYAMLException e) {
            Integer line = e.getProblemMark() == null ? null : e.getProblemMark().getLine() + 1;
            throw errors.at(file, line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw errors.at(file, null, "not valid YAML: " + e.getMessage());
        }
        if (data == null) {
            return List.of();
        }
        String key = layout.key();
        if (!(data instanceof Map<?, ?> top) || !top.isEmpty() && !top.keySet().equals(Set.of(key))) {
            throw errors.at(file, layout.reportsLines() ? 1 : null,
                    "expected a single top-level key '" + key + "' holding a list");
        }
        Object list = top.get(key);
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> items)) {
            throw errors.at(file, line(root, key, -1), "'" + key + "' must be a list");
        }
        List<T> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String where = key + "[" + i + "]";
            Integer line = line(root, key, i);
            if (!(items.get(i) instanceof Map<?, ?> map)) {
                throw errors.at(file, line, where + " must be a mapping with " + layout.itemHint());
            }
            if (map.get("name") != null) {
                where += " (" + map.get("name") + ")";
            }
            try {
                T item = layout.item().apply(map);
                String name = layout.name().apply(item);
                if (!names.add(name)) {
                    throw new IllegalArgumentException("the name '" + name + "' is used twice");
                }
                out.add(item);
            } catch (IllegalArgumentException e) {
                throw errors.at(file, line, where + ": " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** The line of the i-th list item (or of the list itself for -1), when the document has that shape. */
    private static Integer line(Node root, String key, int index) {
        if (!(root instanceof MappingNode top)) {
            return null;
        }
        for (NodeTuple tuple : top.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                Node value = tuple.getValueNode();
                if (index >= 0 && value instanceof SequenceNode seq && index < seq.getValue().size()) {
                    return seq.getValue().get(index).getStartMark().getLine() + 1;
                }
                return value.getStartMark().getLine() + 1;
            }
        }
        return null;
    }

    /** A single value, or null when absent or blank. */
    public static String string(Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(key + " must be a single value");
        }
        String s = String.valueOf(v);
        return s.isBlank() ? null : s;
    }

    public static List<String> strings(Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(key + " must be a list, e.g. [a, b]");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (o == null || o instanceof Map || o instanceof List) {
                throw new IllegalArgumentException(key + " must list plain values");
            }
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    /** A mapping of plain values, in file order. */
    public static Map<String, String> stringMap(Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(key + " must be a mapping, e.g. {KEY: value}");
        }
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, val) -> {
            if (val == null || val instanceof Map || val instanceof List) {
                throw new IllegalArgumentException(key + "." + k + " must be a plain value");
            }
            out.put(String.valueOf(k), String.valueOf(val));
        });
        return Collections.unmodifiableMap(out);
    }

    public static boolean bool(Map<?, ?> map, String key, boolean fallback) {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(key + " must be true or false");
        }
        return b;
    }

    /**
     * Checks an absolute http(s) URL; {@code what} names it in the message (url, endpoint). A {@code ${ENV}}
     * reference is left for when it is resolved.
     */
    public static void checkUrl(String url, String what) {
        if (url.contains("${")) {
            return;
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + url + "' is not a valid URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an absolute http:// or https:// URL");
        }
    }
}
