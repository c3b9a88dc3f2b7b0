package dev.caravan.workspace.component;

import dev.caravan.tool.ToolFailure;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Glob patterns on workspace paths: {@code *} and {@code ?} stay within one name, {@code **} crosses directories,
 * {@code [abc]} and {@code {a,b}} as usual. A pattern without {@code /} matches any single name along the path
 * ({@code node_modules}, {@code *.log}); one with {@code /} matches the whole path relative to where the search
 * starts ({@code src/**}{@code /*.java}).
 */
final class Globs {
    private Globs() {
    }

    /** True when {@code relative} (a path below the search root) matches. */
    static Predicate<String> matcher(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new ToolFailure("A glob pattern must not be empty, e.g. '*.md' or 'docs/**'.");
        }
        String g = glob.strip();
        boolean wholePath = g.contains("/");
        Pattern p;
        try {
            p = Pattern.compile(regex(g.startsWith("/") ? g.substring(1) : g));
        } catch (PatternSyntaxException e) {
            throw new ToolFailure("'" + glob + "' is not a valid glob pattern.");
        }
        if (wholePath) {
            return relative -> p.matcher(relative).matches();
        }
        return relative -> {
            for (String name : relative.split("/")) {
                if (p.matcher(name).matches()) {
                    return true;
                }
            }
            return false;
        };
    }

    /** Matches the last name only (for search_files without '/'), or the whole relative path. */
    static Predicate<String> nameOrPath(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new ToolFailure("A glob pattern must not be empty, e.g. '*.md' or 'docs/**'.");
        }
        String g = glob.strip();
        Pattern p;
        try {
            p = Pattern.compile(regex(g.startsWith("/") ? g.substring(1) : g));
        } catch (PatternSyntaxException e) {
            throw new ToolFailure("'" + glob + "' is not a valid glob pattern.");
        }
        if (g.contains("/")) {
            return relative -> p.matcher(relative).matches();
        }
        return relative -> p.matcher(relative.substring(relative.lastIndexOf('/') + 1)).matches();
    }

    static Predicate<String> any(List<String> globs) {
        Predicate<String> out = s -> false;
        for (String g : globs) {
            out = out.or(matcher(g));
        }
        return out;
    }

    static String regex(String glob) {
        StringBuilder r = new StringBuilder();
        boolean inClass = false;
        int braces = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                r.append(c == '\\' ? "\\\\" : String.valueOf(c));
                continue;
            }
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        i++;
                        if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                            i++;
                            r.append("(?:.*/)?");
                        } else {
                            r.append(".*");
                        }
                    } else {
                        r.append("[^/]*");
                    }
                }
                case '?' -> r.append("[^/]");
                case '[' -> {
                    inClass = true;
                    r.append('[');
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '!') {
                        r.append('^');
                        i++;
                    }
                }
                case '{' -> {
                    braces++;
                    r.append("(?:");
                }
                case '}' -> {
                    if (braces > 0) {
                        braces--;
                        r.append(')');
                    } else {
                        r.append("\\}");
                    }
                }
                case ',' -> r.append(braces > 0 ? "|" : ",");
                default -> r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }
}
