package dev.caravan.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The load generators' command lines: key=value arguments, as the bench scripts pass them. */
final class Args {
    private Args() {
    }

    static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, not " + a);
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return args;
    }
}
