package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Dropbox (API v2): a shared link ({@code /s/...}, {@code /scl/fi/...?rlkey=...}, {@code /scl/fo/...} for folders)
 * is looked up with {@code sharing/get_shared_link_metadata} and fetched with the content endpoint
 * {@code sharing/get_shared_link_file}, whose arguments travel as JSON in the {@code Dropbox-API-Arg} header (and
 * metadata comes back in {@code Dropbox-API-Result}). A folder link is listed with {@code files/list_folder}
 * ({@code shared_link}) and each file fetched by its path inside the link. A bare id ({@code id:...}) is the
 * connected account's own file ({@code files/get_metadata}, {@code files/download}). Endpoint errors are HTTP 409
 * with an {@code error_summary}, mapped to the reasons.
 */
final class DropboxSource extends DriveSource {
    DropboxSource(DriveAccounts accounts, DriveProperties properties) {
        super("dropbox", accounts, properties);
    }

    @Override
    public boolean recognises(URI url) {
        String h = host(url);
        String p = url.getPath() == null ? "" : url.getPath();
        return web(url) && (h.equals("www.dropbox.com") || h.equals("dropbox.com"))
                && (p.startsWith("/s/") || p.startsWith("/scl/") || p.startsWith("/sh/"));
    }

    private URI content(String path) {
        return URI.create(strip(settings.getContentUrl()) + path);
    }

    @Override
    public Resolved resolve(URI url, Context context) {
        if (!web(url)) {
            String id = url.toString().strip();
            if (!id.startsWith("id:")) {
                throw new ImportFailure(ImportReason.INVALID_REQUEST, "That is neither a Dropbox shared link nor a "
                        + "file id (id:...).");
            }
            JsonNode meta = json(Download.post(api("/files/get_metadata"), body(Map.of("path", id)),
                    "application/json"), context);
            return authed(Download.post(content("/files/download"), null, null), context)
                    .header("Dropbox-API-Arg", arg(Map.of("path", id)))
                    .named(meta.path("name").asText(null), sizeOrNull(meta));
        }
        String link = url.toString();
        JsonNode meta = json(Download.post(api("/sharing/get_shared_link_metadata"), body(Map.of("url", link)),
                "application/json"), context);
        if ("folder".equals(meta.path(".tag").asText())) {
            return folder(link, meta, context);
        }
        return file(link, null, meta, context);
    }

    private Download file(String link, String path, JsonNode meta, Context context) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("url", link);
        if (path != null) {
            arg.put("path", path);
        }
        return authed(Download.post(content("/sharing/get_shared_link_file"), null, null), context)
                .header("Dropbox-API-Arg", arg(arg)).named(meta.path("name").asText(null), sizeOrNull(meta));
    }

    private Resolved folder(String link, JsonNode folder, Context context) {
        List<Download> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        JsonNode page = json(Download.post(api("/files/list_folder"), body(Map.of("path", "",
                "shared_link", Map.of("url", link))), "application/json"), context);
        while (true) {
            for (JsonNode e : page.path("entries")) {
                String name = e.path("name").asText();
                if (!"file".equals(e.path(".tag").asText())) {
                    skipped.add(name + "/ (sub-folders are not imported)");
                } else if (files.size() <= context.folderMaxFiles()) {
                    files.add(file(link, "/" + name, e, context));
                }
            }
            if (!page.path("has_more").asBoolean(false) || files.size() > context.folderMaxFiles()) {
                break;
            }
            page = json(Download.post(api("/files/list_folder/continue"),
                    body(Map.of("cursor", page.path("cursor").asText())), "application/json"), context);
        }
        return new Folder(folder.path("name").asText(), files, skipped);
    }

    /** Dropbox's errors: 409 {"error_summary": "shared_link_not_found/...", "error": {".tag": ...}}; 401 likewise. */
    @Override
    ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal) {
        String summary = body.path("error_summary").asText("");
        if (status == 409) {
            if (summary.startsWith("shared_link_not_found") || summary.contains("not_found")) {
                return common(404, summary, principal);
            }
            if (summary.startsWith("shared_link_access_denied") || summary.startsWith("email_not_verified")) {
                return new ImportFailure(ImportReason.HTTP_STATUS, "Dropbox does not let your connected account read "
                        + "this link (" + cut(summary) + ", http_status); ask its owner for access.", status);
            }
            if (summary.startsWith("unsupported_link_type") || summary.startsWith("shared_link_is_directory")) {
                return new ImportFailure(ImportReason.INVALID_REQUEST, "Dropbox cannot download this link ("
                        + cut(summary) + ").", status);
            }
            return new ImportFailure(ImportReason.HTTP_STATUS, "Dropbox refused the request (" + cut(summary)
                    + ", http_status).", status);
        }
        if (status == 400) {
            // Dropbox answers 400 in plain text for a malformed call: a fault here, not the user's.
            return new ImportFailure(ImportReason.FAILED, "Dropbox refused Caravan's request (HTTP 400).", status);
        }
        return common(status, summary, principal);
    }
}
