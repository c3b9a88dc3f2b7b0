package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.net.URI;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Box (API 2.0): a shared link is resolved with {@code GET /shared_items} and the header
 * {@code BoxApi: shared_link=URL} ({@code &shared_link_password=PW} for a link with a password; the header then
 * opens every item inside the shared folder too); a file's bytes come from {@code GET /files/{id}/content} (the same
 * header), which answers 302 to the download host (fetched without the token or the header) or 202 with
 * {@code Retry-After} while the file is not ready yet (waited for). A shared folder and its sub-folders are listed
 * with {@code GET /folders/{id}/items}. A bare numeric id is a file of the connected account. Box's API reads nothing
 * without a user's token, so a public link needs a connection too.
 */
final class BoxSource extends DriveSource {
    private static final Pattern NUMERIC = Pattern.compile("\\d{1,30}");
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]*");

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
    public boolean takesLinkPassword() {
        return true;
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
        String password = context.linkPassword();
        if (password != null) {
            if (!PRINTABLE_ASCII.matcher(password).matches()) {
                // an HTTP header carries ASCII only, and Box documents no encoding for the password in it
                throw new ImportFailure(ImportReason.INVALID_REQUEST, "A Box link password must be plain ASCII "
                        + "characters to travel in Box's BoxApi header.");
            }
            shared += "&shared_link_password=" + password;
        }
        String header = shared;
        JsonNode item = json(Download.get(api("/shared_items?fields=id,type,name,size")).header("BoxApi", header),
                context);
        if ("folder".equals(item.path("type").asText())) {
            return FolderWalk.walk(item.path("name").asText(), item.path("id").asText(), id -> id,
                    (id, out, enough) -> list(id, header, out, enough, context), context);
        }
        return content(item, header, context);
    }

    private Download content(JsonNode file, String shared, Context context) {
        Download d = Download.get(api("/files/" + seg(file.path("id").asText()) + "/content"));
        if (shared != null) {
            d = d.header("BoxApi", shared);
        }
        return authed(d, context).named(file.path("name").asText(null), sizeOrNull(file));
    }

    /** One folder's items, page by page (offset paging, as Box documents for folder items). */
    private void list(String folder, String shared, Consumer<FolderWalk.Child<String>> out, BooleanSupplier enough,
                      Context context) {
        int offset = 0;
        while (!enough.getAsBoolean()) {
            JsonNode page = json(Download.get(api("/folders/" + seg(folder)
                    + "/items?fields=id,type,name,size&limit=1000&offset=" + offset)).header("BoxApi", shared), context);
            JsonNode entries = page.path("entries");
            for (JsonNode e : entries) {
                String name = e.path("name").asText();
                String type = e.path("type").asText();
                if ("folder".equals(type)) {
                    out.accept(FolderWalk.Child.folder(name, e.path("id").asText()));
                } else if ("file".equals(type)) {
                    out.accept(FolderWalk.Child.file(name, () -> content(e, shared, context)));
                }
            }
            offset += entries.size();
            if (entries.isEmpty() || offset >= page.path("total_count").asInt(0)) {
                break;
            }
        }
    }

    /** Box's errors: {"type": "error", "status": 404, "code": "not_found", "message": ...}. */
    @Override
    ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal) {
        String code = body.path("code").asText("");
        String message = body.path("message").asText(null);
        if (code.equals("not_found") || code.equals("trashed")) {
            return common(404, message, principal);
        }
        if (code.equals("incorrect_shared_item_password")) {
            return new ImportFailure(ImportReason.PASSWORD_REQUIRED, "Box refused the shared link's password "
                    + "(incorrect_shared_item_password, password_required): the link needs one and it was missing "
                    + "or wrong; start the import again with the right password.", status);
        }
        if (code.equals("insufficient_scope")) {
            return accounts.authRequired(provider, principal, "the connection lacks the read scope");
        }
        return common(status, message == null ? code : message, principal);
    }
}
