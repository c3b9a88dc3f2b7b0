package dev.caravan.core;

import java.util.regex.Pattern;

/** Glob patterns as tool selections and workspace scopes write them: {@code *} any run, {@code ?} one character. */
public final class Globs {
    private Globs() {
    }

    /** The pattern matching what the glob matches; every other character stands for itself. */
    public static Pattern compile(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            sb.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return Pattern.compile(sb.toString());
    }
}
