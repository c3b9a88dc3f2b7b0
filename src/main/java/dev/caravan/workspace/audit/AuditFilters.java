package dev.caravan.workspace.audit;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the search filters as the tool and the admin API take them, with messages a caller can act on. */
public final class AuditFilters {
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*([smhd])");

    private AuditFilters() {
    }

    /**
     * A time bound: an ISO-8601 instant ({@code 2026-11-21T08:00:00Z}) or an age before now ({@code 30m},
     * {@code 24h}, {@code 7d}); null when blank.
     *
     * @throws IllegalArgumentException naming the argument and the forms accepted
     */
    public static Instant time(String name, String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        Matcher m = AGO.matcher(v.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' must be an ISO-8601 time such as 2026-11-21T08:00:00Z "
                    + "or an age such as 30m, 24h or 7d, not '" + value + "'.");
        }
    }

    /** The limit: default 50, at most {@code max}. */
    public static int limit(Integer requested, int max) {
        if (requested == null) {
            return Math.min(50, max);
        }
        if (requested < 1) {
            throw new IllegalArgumentException("'limit' must be at least 1.");
        }
        return Math.min(requested, max);
    }

    /** A path prefix as stored: no leading or trailing slash; null for the root or blank. */
    public static String path(String value) {
        if (value == null) {
            return null;
        }
        String p = value.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? null : p;
    }
}
