package dev.caravan.catalog;

import dev.caravan.core.Globs;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Chooses a slice of the catalogue: each pattern is a glob ({@code *}, {@code ?}) matched against a feature's
 * name and against each of its tags. {@code ["crm", "report_*"]} selects everything tagged crm plus every
 * feature whose name starts with report_.
 */
public final class ToolSelector {
    private final List<String> patterns;
    private final List<Pattern> compiled;

    public ToolSelector(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.compiled = patterns.stream().map(Globs::compile).toList();
    }

    public List<String> patterns() {
        return patterns;
    }

    public boolean matches(String name, Set<String> tags) {
        for (Pattern p : compiled) {
            if (p.matcher(name).matches() || tags.stream().anyMatch(t -> p.matcher(t).matches())) {
                return true;
            }
        }
        return false;
    }

    public static void check(List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            throw new IllegalArgumentException("tools must list at least one tag or name pattern, e.g. [\"crm\", \"report_*\"]");
        }
        for (String p : patterns) {
            if (p == null || p.isBlank() || !p.matches("[A-Za-z0-9_.*?-]+")) {
                throw new IllegalArgumentException("tool pattern '" + p
                        + "' may contain only letters, digits, '_', '-', '.', '*' and '?'");
            }
        }
    }

}
