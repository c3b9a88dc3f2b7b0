package dev.caravan.routes;

import dev.caravan.tool.RouteDefinitionException;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.ResolveEndpointFailedException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a failure to load a route file into a reason a person can act on, with the line when it can be found. */
final class RouteFileErrors {
    private static final Pattern LINE = Pattern.compile("line (\\d+)");
    private static final Pattern ENDPOINT = Pattern.compile("([a-z][a-z0-9+.-]*):(?://)?([^?\\s:'\",;()]+)");
    private static final Pattern QUOTED = Pattern.compile("'([^'\\s]+)'");
    private static final Pattern ROUTE_START = Pattern.compile("^\\s*-\\s*(route|from|rest|routeTemplate)\\s*:");

    private RouteFileErrors() {
    }

    record Located(Integer line, String reason) {
    }

    static Located locate(Throwable failure, String content) {
        return locate(failure, content, null);
    }

    /**
     * As {@link #locate(Throwable, String)}, but looks for the line within the route that failed (given, or named
     * by the failure), so that two routes naming the same endpoint are told apart.
     */
    static Located locate(Throwable failure, String content, String routeId) {
        String id = routeId != null ? routeId : routeIdOf(failure);
        String[] all = content.split("\n", -1);
        int[] region = id == null ? null : region(all, id);
        int from = region == null ? 0 : region[0];
        String within = region == null ? content
                : String.join("\n", Arrays.copyOfRange(all, region[0], region[1]));
        Throwable root = failure;
        String uri = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ResolveEndpointFailedException r && uri == null) {
                uri = r.getUri();
            }
            if (t instanceof NoSuchEndpointException n && uri == null) {
                uri = n.getUri();
            }
            if (t instanceof RouteDefinitionException || t.getCause() == null) {
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
            line = lineOf(within, uri != null ? uri : reason, reason);
            if (line != null) {
                line += from;
            }
        }
        return new Located(line, reason.replaceAll("\\s+", " ").trim());
    }

    private static String routeIdOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException c && c.getRouteId() != null) {
                return c.getRouteId();
            }
            if (t instanceof FailedToStartRouteException s && s.getRouteId() != null) {
                return s.getRouteId();
            }
        }
        return null;
    }

    /** The lines [first, end) of the route whose {@code id:} is the given one, or null when it is not found. */
    private static int[] region(String[] lines, String routeId) {
        Pattern idLine = Pattern.compile("^\\s*id:\\s*['\"]?" + Pattern.quote(routeId) + "['\"]?\\s*$");
        for (int i = 0; i < lines.length; i++) {
            if (idLine.matcher(lines[i]).find()) {
                int first = i;
                while (first > 0 && !ROUTE_START.matcher(lines[first]).find()) {
                    first--;
                }
                int end = i + 1;
                while (end < lines.length && !ROUTE_START.matcher(lines[end]).find()) {
                    end++;
                }
                return new int[]{first, end};
            }
        }
        return null;
    }

    /**
     * The line to blame when the failure has none: the failing endpoint's line (found by its scheme and path; Camel
     * reports {@code nosuch:thing} as {@code nosuch://thing}), then, within that route, the line naming the most
     * values the reason quotes, so that {@code parameter 'x' has unknown type 'notatype'} points at
     * {@code parameter.x: notatype}. Without an endpoint, the quoted values are looked for in the whole file.
     */
    private static Integer lineOf(String content, String text, String reason) {
        String[] lines = content.split("\n", -1);
        Integer endpoint = endpointLine(lines, text);
        List<Pattern> quoted = new ArrayList<>();
        Matcher q = QUOTED.matcher(reason);
        while (q.find()) {
            quoted.add(Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(q.group(1)) + "(?![A-Za-z0-9_])"));
        }
        Integer best = endpoint;
        int bestScore = 0;
        for (int i = endpoint == null ? 0 : endpoint - 1; i < lines.length; i++) {
            if (endpoint != null && i >= endpoint && ROUTE_START.matcher(lines[i]).find()) {
                break;
            }
            int score = 0;
            for (Pattern p : quoted) {
                if (p.matcher(lines[i]).find()) {
                    score++;
                }
            }
            if (score > bestScore) {
                best = i + 1;
                bestScore = score;
            }
        }
        return best;
    }

    /** The first line that names the endpoint in the text (its scheme and path, without options). */
    private static Integer endpointLine(String[] lines, String text) {
        if (text == null) {
            return null;
        }
        Matcher uri = ENDPOINT.matcher(text);
        if (!uri.find()) {
            return null;
        }
        String scheme = uri.group(1), path = uri.group(2);
        for (String needle : List.of(scheme + ":" + path, scheme + "://" + path)) {
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].contains(needle)) {
                    return i + 1;
                }
            }
        }
        // YAML may spell "ai-tool:NAME" as a key with the name apart; try the path alone.
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(path)) {
                return i + 1;
            }
        }
        return null;
    }
}
