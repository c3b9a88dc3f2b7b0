package dev.caravan.workspace.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Listing;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.util.HtmlUtils;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A directory listing as JSON, or as a plain HTML page for browsers (Accept: text/html). */
final class ListingResponder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ListingResponder() {
    }

    /**
     * @param shownPath the directory as the client should see it ("" for the top)
     * @param linkBase  the URL path each entry's name is appended to (ending in '/'), for HTML links
     * @param uploadForm true to add an upload form to the HTML page
     */
    public static void send(HttpServletRequest request, HttpServletResponse response, String shownPath,
                            Listing listing, String linkBase, boolean uploadForm) throws IOException {
        response.setStatus(200);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "private, no-cache");
        FileResponder.safety(response);
        if (wantsHtml(request)) {
            html(response, shownPath, listing.entries(), listing.truncated(), linkBase, uploadForm);
            return;
        }
        response.setContentType("application/json");
        List<Map<String, Object>> entries = new ArrayList<>();
        for (FileInfo e : listing.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("type", e.isDirectory() ? "directory" : "file");
            if (e.isFile()) {
                m.put("size", e.size());
                m.put("etag", e.etag());
            }
            m.put("modified", e.modified() == null ? null : e.modified().toString());
            entries.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("path", shownPath);
        body.put("entries", entries);
        body.put("truncated", listing.truncated());
        JSON.writeValue(response.getOutputStream(), body);
    }

    /** A page listing only, with a form that uploads into the folder. */
    public static void uploadPage(HttpServletResponse response, String linkBase) throws IOException {
        response.setStatus(200);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "private, no-cache");
        FileResponder.safety(response);
        html(response, null, List.of(), false, linkBase, true);
    }

    static boolean wantsHtml(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.contains("text/html");
    }

    private static void html(HttpServletResponse response, String shownPath, List<FileInfo> entries,
                             boolean truncated, String linkBase, boolean uploadForm) throws IOException {
        response.setContentType("text/html;charset=UTF-8");
        // The page has no script; the sandbox still allows the form to submit.
        response.setHeader("Content-Security-Policy", "sandbox allow-forms; default-src 'none'; style-src 'unsafe-inline'");
        PrintWriter w = response.getWriter();
        String title = shownPath == null ? "Upload files" : shownPath.isEmpty() ? "Shared folder" : "/" + shownPath;
        w.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(HtmlUtils.htmlEscape(title))
                .append("</title></head><body><h1>").append(HtmlUtils.htmlEscape(title)).append("</h1>");
        if (shownPath != null) {
            w.append("<ul>");
            for (FileInfo e : entries) {
                String name = e.name() + (e.isDirectory() ? "/" : "");
                w.append("<li><a href=\"").append(HtmlUtils.htmlEscape(linkBase + RequestPaths.encode(name)))
                        .append("\">").append(HtmlUtils.htmlEscape(name)).append("</a>");
                if (e.isFile()) {
                    w.append(" (").append(String.valueOf(e.size())).append(" bytes)");
                }
                w.append("</li>");
            }
            w.append("</ul>");
            if (truncated) {
                w.append("<p>Only the first ").append(String.valueOf(entries.size())).append(" entries are shown.</p>");
            }
        }
        if (uploadForm) {
            w.append("<form method=\"post\" enctype=\"multipart/form-data\" action=\"")
                    .append(HtmlUtils.htmlEscape(linkBase)).append("\"><input type=\"file\" name=\"file\" multiple> ")
                    .append("<button type=\"submit\">Upload</button></form>")
                    .append("<p>Existing files are never replaced: a name that is taken is refused.</p>");
        }
        w.append("</body></html>");
        w.flush();
    }
}
