package dev.caravan.core;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ${NAME}} references in connector settings, resolved from the environment (or any lookup). */
public final class EnvReferences {
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    private EnvReferences() {
    }

    /**
     * The value with every reference replaced (null stays null); throws {@link MissingVariable} naming the variable,
     * never a value, when one is unset or empty. Each value put in is handed to {@code seen} first (for redaction).
     */
    public static String resolve(String value, Function<String, String> lookup, Consumer<String> seen) {
        if (value == null) {
            return null;
        }
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = lookup.apply(m.group(1));
            if (v == null || v.isEmpty()) {
                throw new MissingVariable(m.group(1));
            }
            seen.accept(v);
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A referenced variable is not set; the message names it and nothing else. */
    public static final class MissingVariable extends RuntimeException {
        MissingVariable(String name) {
            super("the environment variable " + name + " is not set", null, false, false);
        }
    }
}
