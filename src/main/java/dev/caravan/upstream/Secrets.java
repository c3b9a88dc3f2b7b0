package dev.caravan.upstream;

import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${NAME}} references in configuration values (from the environment, through Spring's
 * {@code Environment} so system properties work too) and remembers every resolved value so that messages
 * about the upstream can be scrubbed of them.
 */
final class Secrets {
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    private final Function<String, String> lookup;
    private final Set<String> resolved = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Secrets(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** The value with every reference replaced; throws naming the variable (never a value) when one is unset. */
    String resolve(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        boolean any = false;
        while (m.find()) {
            String v = lookup.apply(m.group(1));
            if (v == null || v.isEmpty()) {
                throw new MissingVariable(m.group(1));
            }
            resolved.add(v);
            any = true;
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        if (any) {
            resolved.add(out.toString());
        }
        return out.toString();
    }

    /** The text with every resolved value (of 4 characters or more) replaced by {@code ***}. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        // Longest first, so "Bearer xyz" goes as a whole before "xyz" alone.
        for (String secret : resolved.stream().sorted(java.util.Comparator.comparingInt(String::length).reversed())
                .toList()) {
            if (secret.length() >= 4) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }

    static final class MissingVariable extends RuntimeException {
        MissingVariable(String name) {
            super("the environment variable " + name + " is not set", null, false, false);
        }
    }
}
