package dev.caravan.upstream;

import dev.caravan.core.EnvReferences;

import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Resolves {@code ${NAME}} references in configuration values (from the environment, through Spring's
 * {@code Environment} so system properties work too) and remembers every resolved value so that messages
 * about the upstream can be scrubbed of them.
 */
final class Secrets {
    private final Function<String, String> lookup;
    private final Set<String> resolved = ConcurrentHashMap.newKeySet();

    Secrets(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** The value with every reference replaced; throws naming the variable (never a value) when one is unset. */
    String resolve(String value) {
        if (value == null) {
            return null;
        }
        boolean[] any = {false};
        String out = EnvReferences.resolve(value, lookup, v -> {
            resolved.add(v);
            any[0] = true;
        });
        if (any[0]) {
            resolved.add(out);
        }
        return out;
    }

    /** The text with every resolved value (of 4 characters or more) replaced by {@code ***}. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        // Longest first, so "Bearer xyz" goes as a whole before "xyz" alone.
        for (String secret : resolved.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .toList()) {
            if (secret.length() >= 4) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }
}
