package dev.caravan.workspace.http;

import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.storage.WorkspacePath;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.util.UriUtils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The segments of a request path after a fixed prefix, taken from the raw request URI and decoded one segment at a
 * time, so an encoded slash ({@code %2F}) can never become a separator and an encoded dot segment ({@code %2e%2e})
 * is judged as the {@code ..} it is. The result goes through {@link WorkspacePath#of}, which refuses everything
 * else that could leave the workspace (and any percent sign left after this one decoding: no double encoding).
 */
final class RequestPaths {
    private RequestPaths() {
    }

    /** The raw (still encoded) path of the request, without the context path. */
    static String rawPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    /**
     * The raw segments after the first {@code skip} segments of the path (e.g. skip 2 for {@code /files/WS/...}).
     */
    static List<String> rawSegments(HttpServletRequest request, int skip) {
        String raw = rawPath(request);
        String[] parts = raw.split("/", -1);
        List<String> out = new ArrayList<>();
        // parts[0] is the empty string before the leading slash
        for (int i = 1 + skip; i < parts.length; i++) {
            out.add(parts[i]);
        }
        return out;
    }

    /** One decoded segment (the workspace name, the share token). */
    static String segment(HttpServletRequest request, int index) {
        String[] parts = rawPath(request).split("/", -1);
        return index + 1 < parts.length ? decode(parts[index + 1]) : "";
    }

    /** The workspace path named by the request's segments after the first {@code skip}. */
    public static WorkspacePath after(HttpServletRequest request, int skip) {
        List<String> decoded = new ArrayList<>();
        for (String raw : rawSegments(request, skip)) {
            String s = decode(raw);
            if (s.indexOf('/') >= 0 || s.indexOf('\\') >= 0) {
                throw new PathRejectedException("The path contains an encoded '/' or '\\'; send separators as plain '/'.");
            }
            decoded.add(s);
        }
        return WorkspacePath.of(String.join("/", decoded));
    }

    private static String decode(String raw) {
        try {
            return UriUtils.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new PathRejectedException("The path contains a malformed percent-encoding.");
        }
    }

    /** A path segment or path encoded for a link. */
    static String encode(String path) {
        return UriUtils.encodePath(path, StandardCharsets.UTF_8);
    }
}
