package dev.caravan.server;

import java.util.Collection;
import java.util.Locale;

/**
 * The message for a call to a tool the endpoint does not show: it names the tool asked for and the closest
 * one it does show. The SDK's own answer ("Unknown tool: invalid_tool_name") names neither.
 */
final class ToolNameHint {
    private static final int MAX_ECHO = 128;

    private ToolNameHint() {
    }

    static String unknownTool(String requested, Collection<String> shown) {
        String asked = requested.length() > MAX_ECHO ? requested.substring(0, MAX_ECHO) + "…" : requested;
        if (shown.isEmpty()) {
            return "Unknown tool '" + asked + "': this endpoint shows no tools at the moment";
        }
        String closest = closest(requested, shown);
        return "Unknown tool '" + asked + "'" + (closest == null ? "" : "; did you mean '" + closest + "'?")
                + " Call tools/list for the tools this endpoint shows.";
    }

    /** The shown name nearest to the requested one, or null when none is near enough to be a plausible typo. */
    static String closest(String requested, Collection<String> shown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = requested.toLowerCase(Locale.ROOT);
        for (String name : shown) {
            int d = distance(lower, name.toLowerCase(Locale.ROOT));
            if (d < bestDistance || d == bestDistance && name.compareTo(best) < 0) {
                best = name;
                bestDistance = d;
            }
        }
        // A suggestion that changes more than half of the name is noise, not help.
        return best != null && bestDistance <= Math.max(2, Math.max(requested.length(), best.length()) / 2) ? best : null;
    }

    /** Levenshtein distance (insert, delete, substitute), two rows; names are at most 128 characters. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
