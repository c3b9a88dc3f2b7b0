package dev.caravan.workspace.http;

import dev.caravan.web.ApiException;
import dev.caravan.web.ApiProblem;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WorkspaceStorage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpRange;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Sends one file for a GET or HEAD: conditional requests ({@code If-None-Match} → 304), a single byte range
 * ({@code Range}, honoured only while {@code If-Range} still matches; several ranges are answered with the whole
 * file, as RFC 9110 allows), and the content sent by the kernel from a pinned local file (sendfile) or else streamed
 * from the storage to the socket in fixed-size chunks, never held whole in memory. The headers describe exactly the
 * version being sent.
 */
final class FileResponder {
    public enum Disposition { NONE, INLINE, ATTACHMENT }

    private static final String SENDFILE_PREFIX = "org.apache.tomcat.sendfile.";
    private static final String SENDFILE_SUPPORTED = SENDFILE_PREFIX + "support";
    private static final long SENDFILE_MIN_BYTES = 48 * 1024;

    private FileResponder() {
    }

    /**
     * @param beforeBody run once it is certain content will be sent (a 200 or 206 to a GET): e.g. counting a use of
     *                   a share link. Not run for HEAD, 304, 412 or 416.
     */
    public static void send(HttpServletRequest request, HttpServletResponse response, WorkspaceStorage storage,
                            WorkspacePath path, Disposition disposition, Runnable beforeBody) throws IOException {
        boolean head = "HEAD".equals(request.getMethod());
        boolean counted = false;
        for (int attempt = 1; ; attempt++) {
            FileInfo info = storage.stat(path);
            if (info.isDirectory()) {
                throw ApiException.conflict("'" + path + "' is a directory; list it instead.");
            }
            if (ifNoneMatch(request, info.etag())) {
                response.setStatus(304);
                response.setHeader("ETag", quote(info.etag()));
                return;
            }
            String ifMatch = request.getHeader("If-Match");
            if (ifMatch != null && !etagListMatches(ifMatch, info.etag())) {
                throw ApiException.preconditionFailed("File '" + path + "' is not the version named in If-Match.");
            }
            long size = info.size();
            ByteRange range = range(request, info);
            boolean partial = range != null;
            if (partial && range.length(size) <= 0 || partial && range.start(size) >= size) {
                response.setHeader("Content-Range", "bytes */" + size);
                throw new ApiException(ApiProblem.RANGE_NOT_SATISFIABLE, "The requested range is outside the file, "
                        + "which has " + size + " bytes.");
            }
            if (head) {
                headers(response, info, path, disposition, partial ? range : null, size);
                return;
            }
            if (!counted) {
                beforeBody.run();
                counted = true;
            }
            ByteRange sending = partial ? range : ByteRange.ALL;
            if (sendfile(request, storage, path, info, sending.start(size), sending.length(size))) {
                headers(response, info, path, disposition, partial ? range : null, size);
                return;
            }
            try (FileContent content = storage.read(path, sending)) {
                // The file changed between the stat and the open: the range and headers may not fit; do it again.
                if (!content.info().etag().equals(info.etag()) && attempt < 3) {
                    continue;
                }
                FileInfo sent = content.info();
                headers(response, sent, path, disposition, partial ? range : null, sent.size());
                response.setContentLengthLong(content.length());
                if (content.length() > Streams.CHUNK) {
                    response.setBufferSize(Streams.CHUNK); // fewer, larger socket writes for large files
                }
                Streams.copy(content.stream(), response.getOutputStream());
                return;
            }
        }
    }

    /**
     * Leaves the bytes to Tomcat's sendfile, which has the kernel copy them from the file to the socket after the
     * servlet returns, when the connector offers it (plain NIO, not TLS) and the storage can pin this very version
     * on local disk. Small bodies are not worth a link; the threshold is Tomcat's own DefaultServlet's.
     */
    private static boolean sendfile(HttpServletRequest request, WorkspaceStorage storage, WorkspacePath path,
                                    FileInfo version, long start, long length) {
        if (length < SENDFILE_MIN_BYTES || !Boolean.TRUE.equals(request.getAttribute(SENDFILE_SUPPORTED))) {
            return false;
        }
        Optional<Path> pinned = storage.pin(path, version);
        if (pinned.isEmpty()) {
            return false;
        }
        request.setAttribute(SENDFILE_PREFIX + "filename", pinned.get().toString());
        request.setAttribute(SENDFILE_PREFIX + "start", start);
        request.setAttribute(SENDFILE_PREFIX + "end", start + length);
        return true;
    }

    private static void headers(HttpServletResponse response, FileInfo info, WorkspacePath path,
                                Disposition disposition, ByteRange range, long size) {
        response.setStatus(range == null ? 200 : 206);
        response.setHeader("ETag", quote(info.etag()));
        if (info.modified() != null) {
            response.setDateHeader("Last-Modified", info.modified().toEpochMilli());
        }
        response.setHeader("Accept-Ranges", "bytes");
        String type = contentType(path.name());
        // A browser downloads text/markdown, YAML, JSON and the like rather than showing them: a view shows them as
        // plain text. They still get nosniff and the sandbox below.
        boolean readable = disposition == Disposition.INLINE && readableAsText(type);
        response.setContentType(readable ? "text/plain;charset=UTF-8" : type);
        if (range != null) {
            long start = range.start(size);
            long length = range.length(size);
            response.setHeader("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + size);
            response.setContentLengthLong(length);
        } else {
            response.setContentLengthLong(size);
        }
        if (disposition != Disposition.NONE) {
            response.setHeader("Content-Disposition", contentDisposition(
                    disposition == Disposition.INLINE ? "inline" : "attachment", path.name()));
        }
        if (passive(type) && !readable) {
            // Browsers refuse to show a PDF under a sandbox; these types run no page script (nosniff keeps them so).
            response.setHeader("X-Content-Type-Options", "nosniff");
        } else {
            safety(response);
        }
        // Revalidate every time: a revoked share or a changed file must show at once.
        response.setHeader("Cache-Control", "private, no-cache");
    }

    /** Content served from a workspace never runs as a page of this origin, whatever it claims to be. */
    public static void safety(HttpServletResponse response) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", "sandbox");
    }

    /**
     * {@code filename="ascii"; filename*=UTF-8''...} (RFC 6266). Spring's builder puts an RFC 2047 word in the
     * plain parameter ({@code =?UTF-8?Q?a.txt?=}), which {@code curl -OJ} and other simple clients save verbatim;
     * the plain one here is the name with anything outside printable ASCII (and quotes, backslashes) as '_'.
     */
    static String contentDisposition(String type, String name) {
        StringBuilder ascii = new StringBuilder(name.length());
        name.codePoints().forEach(c -> ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '_'));
        String header = type + "; filename=\"" + ascii + "\"";
        if (ascii.toString().equals(name)) {
            return header;
        }
        StringBuilder encoded = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            // RFC 5987 attr-char; everything else percent-encoded.
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0)) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return header + "; filename*=UTF-8''" + encoded;
    }

    /**
     * Text a browser would download (text/markdown, YAML, JSON …) or might render (XML): a view sends it as
     * text/plain. HTML and SVG keep their type; they are sandboxed as before.
     */
    static boolean readableAsText(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("text/") && !t.startsWith("text/html")
                || t.startsWith("application/json") || t.startsWith("application/xml") || t.startsWith("application/yaml")
                || t.startsWith("application/x-yaml") || t.startsWith("application/javascript")
                || t.startsWith("application/x-sh");
    }

    /** Types a browser displays without running them as a page of this origin (nosniff keeps them so). */
    static boolean passive(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("application/pdf") || t.startsWith("text/plain") || t.startsWith("audio/")
                || t.startsWith("video/") || t.startsWith("image/") && !t.startsWith("image/svg");
    }

    /** Text files Spring's type table does not know (it would call them application/octet-stream). */
    private static final Map<String, String> MORE_TEXT = Map.of("yaml", "application/yaml",
            "yml", "application/yaml", "md", "text/markdown", "markdown", "text/markdown", "toml", "text/plain",
            "log", "text/plain", "ini", "text/plain",
            "conf", "text/plain", "properties", "text/plain");

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String known = dot < 0 ? null : MORE_TEXT.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        MediaType type = known != null ? MediaType.parseMediaType(known)
                : MediaTypeFactory.getMediaType(name).orElse(MediaType.APPLICATION_OCTET_STREAM);
        return type.getType().equals("text") && type.getCharset() == null ? type + ";charset=UTF-8" : type.toString();
    }

    /** The one range to send, or null for the whole file (no Range, a stale If-Range, several ranges, bad syntax). */
    private static ByteRange range(HttpServletRequest request, FileInfo info) {
        String header = request.getHeader("Range");
        if (header == null || !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            return null;
        }
        String ifRange = request.getHeader("If-Range");
        if (ifRange != null && !unquote(ifRange).equals(info.etag())) {
            return null;
        }
        List<HttpRange> ranges;
        try {
            ranges = HttpRange.parseRanges(header);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (ranges.size() != 1) {
            return null;
        }
        String spec = header.substring(header.indexOf('=') + 1).strip();
        long size = info.size();
        if (spec.startsWith("-")) {
            long suffix = Long.parseLong(spec.substring(1).strip());
            return ByteRange.last(suffix);
        }
        HttpRange r = ranges.get(0);
        long first = Long.parseLong(spec.substring(0, spec.indexOf('-')).strip());
        if (first >= size) {
            return ByteRange.of(first, 0);
        }
        long last = r.getRangeEnd(size);
        return ByteRange.of(first, last - first + 1);
    }

    private static boolean ifNoneMatch(HttpServletRequest request, String etag) {
        String header = request.getHeader("If-None-Match");
        return header != null && etagListMatches(header, etag);
    }

    /** True when an If-Match / If-None-Match list names this etag (or is {@code *}). */
    public static boolean etagListMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || etag != null && unquote(c).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    public static String quote(String etag) {
        return "\"" + etag.replace("\"", "") + "\"";
    }

    static String unquote(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

}
