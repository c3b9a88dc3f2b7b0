package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google Drive (Drive API v3): {@code files.get} for the metadata ({@code supportsAllDrives}: shared drives too),
 * {@code alt=media} for files, {@code files.export} for Google Docs, Sheets, Slides and Drawings (in the format asked
 * for, {@link GoogleExports}; Drive refuses exports over 10 MB with {@code exportSizeLimitExceeded} →
 * {@code export_too_large}), {@code files.list} for a folder and its sub-folders. A link's {@code resourcekey} goes
 * in {@code X-Goog-Drive-Resource-Keys}. An HTML page where a file was expected (the virus-scan interstitial) fails
 * {@code html_interstitial}. Without a connection, a file shared with "anyone with the link" is read with the
 * operator's API key ({@code key=}), when one is configured.
 */
final class GoogleDriveSource extends DriveSource {
    static final String FOLDER = "application/vnd.google-apps.folder";
    private static final Pattern FILE_D = Pattern.compile("/(?:file|document|spreadsheets|presentation|drawings)"
            + "(?:/u/\\d+)?/d/([A-Za-z0-9_-]+)");
    private static final Pattern FOLDERS = Pattern.compile("/drive(?:/u/\\d+)?/folders/([A-Za-z0-9_-]+)");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{10,200}");
    private static final Set<String> LIMITS = Set.of("rateLimitExceeded", "userRateLimitExceeded",
            "sharingRateLimitExceeded", "backendError");
    private static final String FIELDS = "id,name,mimeType,size,resourceKey";

    GoogleDriveSource(DriveAccounts accounts, DriveProperties properties) {
        super("gdrive", accounts, properties);
    }

    @Override
    public boolean recognises(URI url) {
        String h = host(url);
        return web(url) && (h.equals("drive.google.com") || h.equals("docs.google.com"));
    }

    /** A file or folder id and its resource key (links to files shared before 2021 need one). */
    record Link(String id, String resourceKey) {
    }

    static Link link(URI url) {
        if (!web(url)) {
            String id = url.toString().strip();
            if (!ID.matcher(id).matches()) {
                throw new ImportFailure(ImportReason.INVALID_REQUEST, "That is neither a Google Drive link nor a "
                        + "file id.");
            }
            return new Link(id, null);
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String id = null;
        for (Pattern p : List.of(FILE_D, FOLDERS)) {
            Matcher m = p.matcher(path);
            if (m.find()) {
                id = m.group(1);
                break;
            }
        }
        if (id == null) {
            id = query(url, "id");
        }
        if (id == null || !ID.matcher(id).matches()) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "This Google Drive URL names no file or folder "
                    + "(expected /file/d/ID, /open?id=ID, /uc?id=ID, /drive/folders/ID or a Docs link).");
        }
        String key = query(url, "resourcekey");
        return new Link(id, key == null ? null : key.replaceAll("[^A-Za-z0-9_-]", ""));
    }

    private static String query(URI url, String name) {
        String q = url.getRawQuery();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equalsIgnoreCase(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public String exportFormat(String requested) {
        return GoogleExports.word(requested);
    }

    @Override
    public Resolved resolve(URI url, Context context) {
        Link link = link(url);
        Download meta = withKey(Download.get(api("/files/" + link.id() + "?fields=" + enc(FIELDS)
                + "&supportsAllDrives=true")), link.id(), link.resourceKey());
        JsonNode file = json(meta, context);
        if (FOLDER.equals(file.path("mimeType").asText())) {
            return FolderWalk.walk(file.path("name").asText(), link, Link::id,
                    (folder, out, enough) -> list(folder, out, enough, context), context);
        }
        return download(file, context, true);
    }

    /** One folder's children ({@code files.list} with {@code 'ID' in parents}), page by page. */
    private void list(Link folder, Consumer<FolderWalk.Child<Link>> out, BooleanSupplier enough, Context context) {
        String page = null;
        do {
            String q = "'" + folder.id() + "' in parents and trashed = false";
            Download list = withKey(Download.get(api("/files?q=" + enc(q) + "&fields="
                    + enc("nextPageToken,files(" + FIELDS + ")") + "&pageSize=1000&supportsAllDrives=true"
                    + "&includeItemsFromAllDrives=true" + (page == null ? "" : "&pageToken=" + enc(page)))),
                    folder.id(), folder.resourceKey());
            JsonNode answer = json(list, context);
            for (JsonNode f : answer.path("files")) {
                String name = f.path("name").asText();
                if (FOLDER.equals(f.path("mimeType").asText())) {
                    String id = f.path("id").asText();
                    if (ID.matcher(id).matches()) {
                        out.accept(FolderWalk.Child.folder(name, new Link(id, f.path("resourceKey").asText(null))));
                    }
                } else {
                    out.accept(FolderWalk.Child.file(name, () -> download(f, context, false)));
                }
            }
            page = answer.path("nextPageToken").asText(null);
        } while (page != null && !enough.getAsBoolean());
    }

    /** A file's download, or a Google document's export ({@code strict}: a format it lacks is an error). */
    private Download download(JsonNode file, Context context, boolean strict) {
        String id = seg(file.path("id").asText());
        String mime = file.path("mimeType").asText();
        String name = file.path("name").asText(null);
        String key = file.path("resourceKey").asText(null);
        if (GoogleExports.exportable(mime)) {
            GoogleExports.Format export = GoogleExports.choose(mime, context.exportFormat(), strict);
            Download d = Download.get(api("/files/" + id + "/export?mimeType=" + enc(export.mime())));
            return authed(withKey(d, id, key), context).named(name == null ? null : name + export.extension(), null);
        }
        if (mime.startsWith("application/vnd.google-apps.")) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "This Google item (" + mime.substring(28)
                    + ") has no file to download or export.");
        }
        Download d = withKey(Download.get(api("/files/" + id + "?alt=media&supportsAllDrives=true")), id, key);
        d = authed(d, context).named(name, sizeOrNull(file));
        return mime.equals("text/html") ? d : d.noHtml();
    }

    /** A public ("anyone with the link") file without a connection: the operator's API key as {@code key=}. */
    @Override
    Download anonymous(Download d) {
        String key = settings.getApiKey();
        if (key == null || key.isBlank()) {
            return null;
        }
        String url = d.url().toString();
        return d.at(URI.create(url + (url.contains("?") ? "&" : "?") + "key=" + enc(key.strip())));
    }

    private static Download withKey(Download d, String id, String key) {
        return key == null || key.isBlank() ? d : d.header("X-Goog-Drive-Resource-Keys", id + "/" + key);
    }

    /** Drive's errors: {"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}. */
    @Override
    ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal) {
        JsonNode error = body.path("error");
        String message = error.path("message").asText(null);
        String reason = error.path("errors").path(0).path("reason").asText("");
        if (reason.equals("exportSizeLimitExceeded")) {
            return new ImportFailure(ImportReason.EXPORT_TOO_LARGE, "Google Drive exports Docs of at most 10 MB "
                    + "(export_too_large); download the document from Google in another format or split it.", status);
        }
        if ((status == 403 || status == 429) && LIMITS.contains(reason)) {
            return new ImportFailure(ImportReason.RATE_LIMITED, "Google Drive is limiting requests (" + reason
                    + ", rate_limited); try again later.", status);
        }
        if (status == 403 && (reason.equals("insufficientScopes") || reason.equals("authError"))) {
            return accounts.authRequired(provider, principal, "the connection lacks the Drive read scope");
        }
        return common(status, message, principal);
    }
}
