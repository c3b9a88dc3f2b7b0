package dev.caravan;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No package of Caravan depends, directly or through others, on a package that depends on it: {@code jdeps
 * -verbose:package target/classes} (the command in the README's contributing notes) must show no cycle.
 */
class PackageCyclesTest {

    @Test
    void theMainClassesHaveNoPackageCycle() {
        Map<String, Set<String>> graph = packageGraph(Path.of("target", "classes"));
        assertThat(graph).as("jdeps found dev.caravan packages").isNotEmpty();
        assertThat(cycles(graph)).as("package cycles (each line: packages that reach one another)").isEmpty();
    }

    @Test
    void aCycleIsNamed() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of(
                "dev.caravan.a", Set.of("dev.caravan.b"),
                "dev.caravan.b", Set.of("dev.caravan.c"),
                "dev.caravan.c", Set.of("dev.caravan.a"),
                "dev.caravan.d", Set.of("dev.caravan.a")));
        assertThat(cycles(graph)).containsExactly("dev.caravan.a <-> dev.caravan.b <-> dev.caravan.c");
    }

    /** Package to the other dev.caravan packages it uses, as jdeps reads them from the class files. */
    static Map<String, Set<String>> packageGraph(Path classes) {
        assertThat(Files.isDirectory(classes)).as(classes + " (compile first)").isTrue();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() ->
                new AssertionError("no jdeps tool in this JDK"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", classes.toString());
        assertThat(rc).as("jdeps exit code; stderr: " + err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[1].equals("->") && parts[0].startsWith("dev.caravan")
                    && parts[2].startsWith("dev.caravan") && !parts[0].equals(parts[2])) {
                graph.computeIfAbsent(parts[0], k -> new TreeSet<>()).add(parts[2]);
            }
        }
        return graph;
    }

    /** The strongly connected groups of more than one package (Tarjan), each as its sorted names joined. */
    static List<String> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<String> found = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, found);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<String> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> group = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                group.add(w);
            } while (!w.equals(v));
            if (group.size() > 1) {
                found.add(String.join(" <-> ", group));
            }
        }
    }
}
