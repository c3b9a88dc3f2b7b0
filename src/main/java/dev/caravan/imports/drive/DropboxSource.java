package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Dropbox (API v2): a shared link ({@code /s/...}, {@code /scl/fi/...?rlkey=...}, {@code /scl/fo/...} for folders)
 * is looked up with {@code sharing/get_shared_link_metadata} (an RPC endpoint: its arguments are the JSON body) and
 * fetched with the content endpoint {@code sharing/get_shared_link_file}, whose arguments travel as JSON in the
 * {@code Dropbox-API-Arg} header (and metadata comes back in {@code Dropbox-API-Result}); a link's password goes in
 * both as {@code link_password}. A folder link is listed with {@code files/list_folder} ({@code shared_link} with its
 * {@code password}; a path inside the link for each sub-folder, since listing a link is not recursive) and each file
 * fetched by its path inside the link. A bare id ({@code id:...}) is the connected account's own file
 * ({@code files/get_metadata}, {@code files/download}). Those shared-link endpoints also take App Authentication
 * (the operator's app key and secret), so a public link works without a connection. Endpoint errors are HTTP 409
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

    @Override
    public boolean takesLinkPassword() {
        return true;
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
            JsonNode meta = json(authed(Download.post(api("/files/get_metadata"), body(Map.of("path", id)),
                    "application/json"), context, false), context);
            return authed(Download.post(content("/files/download"), null, null), context, false)
                    .header("Dropbox-API-Arg", arg(Map.of("path", id)))
                    .named(meta.path("name").asText(null), sizeOrNull(meta));
        }
        String link = url.toString();
        String password = context.linkPassword();
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("url", link);
        if (password != null) {
            arg.put("link_password", password);
        }
        JsonNode meta = json(Download.post(api("/sharing/get_shared_link_metadata"), body(arg), "application/json"),
                context);
        if ("folder".equals(meta.path(".tag").asText())) {
            return FolderWalk.walk(meta.path("name").asText(), "", p -> p.toLowerCase(Locale.ROOT),
                    (path, out, enough) -> list(link, password, path, out, enough, context), context);
        }
        return file(link, password, null, meta, context);
    }

    private Download file(String link, String password, String path, JsonNode meta, Context context) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("url", link);
        if (path != null) {
            arg.put("path", path);
        }
        if (password != null) {
            arg.put("link_password", password);
        }
        return authed(Download.post(content("/sharing/get_shared_link_file"), null, null)
                .header("Dropbox-API-Arg", arg(arg)), context)
                .named(meta.path("name").asText(null), sizeOrNull(meta));
    }

    /** One folder of the link ("" its root, else "/sub/inner"), page by page. */
    private void list(String link, String password, String path, Consumer<FolderWalk.Child<String>> out,
                      BooleanSupplier enough, Context context) {
        Map<String, Object> shared = new LinkedHashMap<>();
        shared.put("url", link);
        if (password != null) {
            shared.put("password", password);
        }
        JsonNode page = json(Download.post(api("/files/list_folder"), body(Map.of("path", path,
                "shared_link", shared)), "application/json"), context);
        while (true) {
            for (JsonNode e : page.path("entries")) {
                String name = e.path("name").asText();
                String child = path + "/" + name;
                if ("folder".equals(e.path(".tag").asText())) {
                    out.accept(FolderWalk.Child.folder(name, child));
                } else if ("file".equals(e.path(".tag").asText())) {
                    out.accept(FolderWalk.Child.file(name, () -> file(link, password, child, e, context)));
                }
            }
            if (!page.path("has_more").asBoolean(false) || enough.getAsBoolean()) {
                break;
            }
            page = json(Download.post(api("/files/list_folder/continue"),
                    body(Map.of("cursor", page.path("cursor").asText())), "application/json"), context);
        }
    }

    /** App Authentication (HTTP Basic with the operator's app key and secret) for a public link. */
    @Override
    Download anonymous(Download d) {
        String key = settings.getClientId();
        String secret = settings.getClientSecret();
        if (key == null || key.isBlank() || secret == null || secret.isBlank()) {
            return null;
        }
        String basic = Base64.getEncoder().encodeToString((key.strip() + ":" + secret.strip())
                .getBytes(StandardCharsets.UTF_8));
        return d.header("Authorization", "Basic " + basic);
    }

    /** Dropbox's errors: 409 {"error_summary": "shared_link_not_found/...", "error": {".tag": ...}}; 401 likewise. */
    @Override
    ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal) {
        String summary = body.path("error_summary").asText("");
        if (status == 409) {
            if (summary.startsWith("shared_link_not_found") || summary.contains("not_found")) {
                return common(404, summary, principal);
            }
            if (summary.startsWith("shared_link_access_denied")) {
                // Dropbox says the same for a missing or wrong link password and for a link not open to this account
                return new ImportFailure(ImportReason.PASSWORD_REQUIRED, "Dropbox refused this link "
                        + "(shared_link_access_denied, password_required): if it has a password, give the right one "
                        + "as password; if it is for members only, connect your Dropbox (drive_connect) or ask its "
                        + "owner for access.", status);
            }
            if (summary.startsWith("email_not_verified")) {
                return new ImportFailure(ImportReason.HTTP_STATUS, "Dropbox does not let your connected account read "
                        + "this link (" + cut(summary) + ", http_status); ask its owner for access.", status);
            }
            if (summary.startsWith("unsupported_parameter_field")) {
                return new ImportFailure(ImportReason.INVALID_REQUEST, "This Dropbox link is private and takes no "
                        + "password; start the import again without one.", status);
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
