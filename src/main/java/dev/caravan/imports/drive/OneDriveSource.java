package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * OneDrive and SharePoint through Microsoft Graph: a sharing URL becomes a share id ({@code u!} + unpadded
 * base64url of the URL), {@code GET /shares/{id}/driveItem} with {@code Prefer: redeemSharingLinkIfNecessary} gives
 * the item, {@code /content} answers 302 to a pre-authenticated URL, fetched without the token (the fetcher drops
 * it off the Graph host). A folder's children come from {@code /drives/{drive}/items/{id}/children}, each fetched
 * from its {@code @microsoft.graph.downloadUrl} (pre-authenticated, no token) or its {@code /content}; sub-folders
 * the same way. Graph reads nothing without a user's token, so a public link needs a connection too.
 */
final class OneDriveSource extends DriveSource {
    private static final Pattern ITEM_ID = Pattern.compile("[A-Za-z0-9!._-]{1,200}");

    OneDriveSource(DriveAccounts accounts, DriveProperties properties) {
        super("onedrive", accounts, properties);
    }

    @Override
    public boolean recognises(URI url) {
        String h = host(url);
        return web(url) && (h.equals("1drv.ms") || h.equals("onedrive.live.com") || h.endsWith(".sharepoint.com")
                || h.equals("onedrive.com") || h.endsWith(".onedrive.com"));
    }

    /** Graph's encoding of a sharing URL ("Encoding sharing URLs" in the shares API). */
    static String shareId(String url) {
        return "u!" + Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Resolved resolve(URI url, Context context) {
        String base;
        if (web(url)) {
            base = "/shares/" + shareId(url.toString());
        } else if (ITEM_ID.matcher(url.toString()).matches()) {
            base = "/me/drive/items/" + seg(url.toString()); // a file id of the connected account's own drive
        } else {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "That is neither a OneDrive/SharePoint link nor "
                    + "a drive item id.");
        }
        JsonNode item = json(Download.get(api(base + (web(url) ? "/driveItem" : "")))
                .header("Prefer", "redeemSharingLinkIfNecessary"), context);
        if (item.has("folder")) {
            return folder(item, context);
        }
        if (!item.has("file")) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "This OneDrive item is neither a file nor a folder.");
        }
        String content = base + (web(url) ? "/driveItem" : "") + "/content";
        return authed(Download.get(api(content)), context).named(item.path("name").asText(null), sizeOrNull(item));
    }

    /** A folder of some drive: Graph names it by its drive and item id. */
    private record Ref(String drive, String id) {
    }

    private Resolved folder(JsonNode folder, Context context) {
        String drive = folder.path("parentReference").path("driveId").asText(null);
        if (drive == null) {
            throw new ImportFailure(ImportReason.FAILED, "OneDrive did not say which drive holds this folder.");
        }
        return FolderWalk.walk(folder.path("name").asText(), new Ref(drive, folder.path("id").asText()),
                r -> r.drive() + "/" + r.id(), (ref, out, enough) -> list(ref, out, enough, context), context);
    }

    /** One folder's children, page by page ({@code @odata.nextLink}). */
    private void list(Ref folder, Consumer<FolderWalk.Child<Ref>> out, BooleanSupplier enough, Context context) {
        URI next = api("/drives/" + seg(folder.drive()) + "/items/" + seg(folder.id()) + "/children?$top=200");
        while (next != null && !enough.getAsBoolean()) {
            JsonNode page = json(Download.get(next), context);
            for (JsonNode child : page.path("value")) {
                String name = child.path("name").asText();
                String id = child.path("id").asText();
                if (child.has("folder") && ITEM_ID.matcher(id).matches()) {
                    String drive = child.path("parentReference").path("driveId").asText(folder.drive());
                    out.accept(FolderWalk.Child.folder(name, new Ref(drive, id)));
                } else if (child.has("file")) {
                    out.accept(FolderWalk.Child.file(name, () -> {
                        String direct = child.path("@microsoft.graph.downloadUrl").asText(null);
                        Download d = direct != null ? Download.get(URI.create(direct))
                                : authed(Download.get(api("/drives/" + seg(folder.drive()) + "/items/" + seg(id)
                                + "/content")), context);
                        return d.named(name, sizeOrNull(child));
                    }));
                }
            }
            String link = page.path("@odata.nextLink").asText(null);
            next = link == null ? null : sameApi(URI.create(link));
        }
    }

    /** The next page carries the token: it must be on the API's own origin (Graph answers absolute links). */
    private URI sameApi(URI next) {
        URI api = api("/");
        if (!String.valueOf(next.getScheme()).equalsIgnoreCase(api.getScheme())
                || !host(next).equals(host(api)) || next.getPort() != api.getPort()) {
            throw new ImportFailure(ImportReason.FAILED, "OneDrive's next page of the folder is on another host; "
                    + "the listing was not followed there.");
        }
        return next;
    }

    /** Graph's errors: {"error": {"code": "itemNotFound", "message": ...}}. */
    @Override
    ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal) {
        JsonNode error = body.path("error");
        String code = error.path("code").asText("");
        if (status == 403 && code.equals("accessDenied") && error.path("message").asText("").contains("scope")) {
            return accounts.authRequired(provider, principal, "the connection lacks the Files.Read.All scope");
        }
        if (code.equals("itemNotFound")) {
            return common(404, error.path("message").asText(null), principal);
        }
        return common(status, error.path("message").asText(null), principal);
    }
}
