package dev.caravan.tool;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Which MIME types are text (and in which charset), so replies from HTTP services reach the agent readable. */
final class MediaTypes {
    private MediaTypes() {
    }

    /** The type without parameters, lower case; null for none. */
    static String base(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    static boolean textual(String contentType) {
        String t = base(contentType);
        if (t == null) {
            return false;
        }
        return t.startsWith("text/") || t.endsWith("+json") || t.endsWith("+xml") || t.endsWith("+yaml")
                || t.equals("application/json") || t.equals("application/xml") || t.equals("application/yaml")
                || t.equals("application/x-yaml") || t.equals("application/x-ndjson")
                || t.equals("application/javascript") || t.equals("application/x-www-form-urlencoded");
    }

    /** The {@code charset} parameter, UTF-8 when absent or unknown (JSON is UTF-8 by definition). */
    static Charset charset(String contentType) {
        if (contentType != null) {
            for (String part : contentType.split(";")) {
                String p = part.trim();
                if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                    try {
                        return Charset.forName(p.substring(8).replace("\"", "").trim());
                    } catch (IllegalArgumentException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
