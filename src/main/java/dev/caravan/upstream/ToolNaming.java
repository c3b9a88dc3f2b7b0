package dev.caravan.upstream;

import dev.caravan.core.Sha256;

/**
 * Exported tool names: {@code <prefix>__<tool>}, always a valid MCP tool name of at most 64 characters (the
 * function-name limit of several LLM APIs). A name that is too long, or has characters MCP does not allow, is
 * cut (or cleaned) and ends in {@code _} plus 8 hex digits of the SHA-256 of the untouched name, so the result
 * is deterministic and two different upstream names do not meet. Callers keep the reverse map.
 */
final class ToolNaming {
    public static final int MAX = 64;
    static final String SEPARATOR = "__";
    private static final int HASH = 8;

    private ToolNaming() {
    }

    public static String exported(String prefix, String tool) {
        String full = prefix == null || prefix.isEmpty() ? tool : prefix + SEPARATOR + tool;
        String clean = full.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (clean.equals(full) && full.length() <= MAX && !full.isEmpty()) {
            return full;
        }
        String hash = Sha256.hex(full).substring(0, HASH);
        String head = clean.length() > MAX - HASH - 1 ? clean.substring(0, MAX - HASH - 1) : clean;
        return head + "_" + hash;
    }
}
