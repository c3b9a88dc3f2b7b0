package dev.caravan.routes;

import org.apache.camel.ResolveEndpointFailedException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a failure to load a route file into a reason a person can act on, with the line when it can be found. */
final class RouteFileErrors {
    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    private RouteFileErrors() {
    }

    record Located(Integer line, String reason) {
    }

    static Located locate(Throwable failure, String content) {
        Throwable root = failure;
        String uri = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ResolveEndpointFailedException r && uri == null) {
                uri = r.getUri();
            }
            if (t instanceof dev.caravan.tool.RouteDefinitionException || t.getCause() == null) {
                root = t;
                break;
            }
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        Integer line = null;
        Matcher m = LINE.matcher(String.valueOf(failure.getMessage()) + " " + reason);
        if (m.find()) {
            line = Integer.parseInt(m.group(1));
        } else {
            line = lineOf(content, uri != null ? uri : reason);
        }
        return new Located(line, reason.replaceAll("\\s+", " ").trim());
    }

    /** The first line that names the failing endpoint (its scheme and path, without options). */
    private static Integer lineOf(String content, String text) {
        if (text == null) {
            return null;
        }
        Matcher uri = Pattern.compile("([a-z][a-z0-9+.-]*:[^?\\s:'\"]+)").matcher(text);
        if (!uri.find()) {
            return null;
        }
        String needle = uri.group(1);
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        // YAML may spell "ai-tool:NAME" as "uri: ai-tool:NAME" or as a key; try the name alone.
        String name = needle.substring(needle.indexOf(':') + 1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(name)) {
                return i + 1;
            }
        }
        return null;
    }
}
