package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Box (API 2.0): a shared link is resolved with {@code GET /shared_items} and the header
 * {@code BoxApi: shared_link=URL}; a file's bytes come from {@code GET /files/{id}/content} (the same header), which
 * answers 302 to the download host (fetched without the token) or 202 with {@code Retry-After} while the file is
 * not ready yet (waited for). A shared folder is listed with {@code GET /folders/{id}/items}. A bare numeric id is a
 * file of the connected account.
 */
final class BoxSource extends DriveSource {
    private static final Pattern NUMERIC = Pattern.compile("\\d{1,30}");

    BoxSource(DriveAccounts accounts, DriveProperties properties) {
        super("box", accounts, properties);
    }

    @Override
    public boolean recognises(URI url) {
        String h = host(url);
        String p = url.getPath() == null ? "" : url.getPath();
        return web(url) && (h.equals("app.box.com") || h.endsWith(".app.box.com") || h.equals("box.com")
                || h.equals("www.box.com")) && (p.startsWith("/s/") || p.startsWith("/shared/") || p.startsWith("/v/"));
    }

    @Override
    public Resolved resolve(URI url, Context context) {
        if (!web(url)) {
            if (!NUMERIC.matcher(url.toString()).matches()) {
                throw new ImportFailure(ImportReason.INVALID_REQUEST, "That is neither a Box shared link nor a file "
                        + "id.");
            }
            JsonNode file = json(Download.get(api("/files/" + url + "?fields=id,type,name,size")), context);
            return content(file, null, context);
        }
        String shared = "shared_link=" + url.toASCIIString(); // the header's documented form
        JsonNode item = json(Download.get(api("/shared_items?fields=id,type,name,size")).header("BoxApi", shared),
                context);
        if ("folder".equals(item.path("type").asText())) {
            return folder(item, shared, context);
        }
        return content(item, shared, context);
    }

    private Download content(JsonNode file, String shared, Context context) {
        Download d = Download.get(api("/files/" + seg(file.path("id").asText()) + "/content"));
        if (shared != null) {
            d = d.header("BoxApi", shared);
        }
        return authed(d, context).named(file.path("name").asText(null), sizeOrNull(file));
    }

    private Resolved folder(JsonNode folder, String shared, Context context) {
        List<Download> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int offset = 0;
        while (files.size() <= context.folderMaxFiles()) {
            JsonNode page = json(Download.get(api("/folders/" + seg(folder.path("id").asText())
                    + "/items?fields=id,type,name,size&limit=1000&offset=" + offset)).header("BoxApi", shared), context);
            JsonNode entries = page.path("entries");
            for (JsonNode e : entries) {
                if (!"file".equals(e.path("type").asText())) {
                    skipped.add(e.path("name").asText() + "/ (sub-folders are not imported)");
                } else if (files.size() <= context.folderMaxFiles()) {
                    files.add(content(e, shared, context));
                }
            }
            offset += entries.size();
            if (entries.isEmpty() || offset >= page.path("total_count").asInt(0)) {
                break;
            }
        }
        return new Folder(folder.path("name").asText(), files, skipped);
    }

    /** Box's errors: {"type": "error", "status": 404, "code": "not_found", "message": ...}. */
    @Override
    ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal) {
        String code = body.path("code").asText("");
        String message = body.path("message").asText(null);
        if (code.equals("not_found") || code.equals("trashed")) {
            return common(404, message, principal);
        }
        if (code.equals("insufficient_scope")) {
            return accounts.authRequired(provider, principal, "the connection lacks the read scope");
        }
        return common(status, message == null ? code : message, principal);
    }
}
