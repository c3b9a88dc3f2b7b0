package dev.caravan.imports;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name an imported file gets when the target is a folder: the response's {@code Content-Disposition} filename
 * (RFC 6266; {@code filename*} in RFC 8187 encoding wins over {@code filename}), else the URL's last path segment,
 * else {@code download}. Always one safe segment: no separators, no control characters, no dot names.
 */
final class FileNames {
    private static final Pattern EXTENDED = Pattern.compile("(?i)(?:^|;)\\s*filename\\*\\s*=\\s*([^']*)'[^']*'([^;\\s]+)");
    private static final Pattern PLAIN = Pattern.compile("(?i)(?:^|;)\\s*filename\\s*=\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^;\\s]+)");
    static final String FALLBACK = "download";

    private FileNames() {
    }

    static String choose(String contentDisposition, URI url) {
        String name = contentDisposition == null ? null : fromDisposition(contentDisposition);
        if (name == null || sanitise(name) == null) {
            name = lastSegment(url);
        }
        String clean = name == null ? null : sanitise(name);
        return clean == null ? FALLBACK : clean;
    }

    static String fromDisposition(String header) {
        Matcher ext = EXTENDED.matcher(header);
        if (ext.find()) {
            try {
                Charset charset = Charset.forName(ext.group(1).isBlank() ? "UTF-8" : ext.group(1).strip());
                return URLDecoder.decode(ext.group(2).replace("+", "%2B"), charset);
            } catch (RuntimeException e) {
                // unknown charset or bad escapes: fall back to filename=
            }
        }
        Matcher plain = PLAIN.matcher(header);
        if (plain.find()) {
            return plain.group(2) != null ? plain.group(2).replaceAll("\\\\(.)", "$1") : plain.group(1);
        }
        return null;
    }

    static String lastSegment(URI url) {
        String path = url.getRawPath();
        if (path == null || path.isEmpty()) {
            return null;
        }
        String segment = path.substring(path.lastIndexOf('/') + 1);
        if (segment.isEmpty()) {
            return null;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    /** One safe path segment, or null when nothing usable is left. */
    static String sanitise(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().forEach(c -> {
            if (c == '/' || c == '\\' || c == ':' || Character.isISOControl(c) || c == 0x7f
                    || Character.getType(c) == Character.FORMAT) {
                out.append('_');
            } else {
                out.appendCodePoint(c);
            }
        });
        String s = out.toString().strip();
        while (s.startsWith(".")) {
            s = s.substring(1);
        }
        s = s.strip();
        if (s.isEmpty() || s.chars().allMatch(c -> c == '_')) {
            return null;
        }
        if (s.length() > 200) {
            int dot = s.lastIndexOf('.');
            String ext = dot > 0 && s.length() - dot <= 16 ? s.substring(dot) : "";
            s = s.substring(0, 200 - ext.length()) + ext;
        }
        return s;
    }

    /** {@code report.pdf} → {@code report (n).pdf}, for onConflict=rename. */
    static String numbered(String name, int n) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) + " (" + n + ")" + name.substring(dot)
                : name + " (" + n + ")";
    }

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
