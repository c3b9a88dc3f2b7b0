package dev.caravan.imports;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where an import's bytes come from: turns the URL a user gave into the request that downloads the file (or the
 * files of a shared folder). The plain web ({@link WebSource}) takes the URL as it is; a cloud drive (package
 * {@code imports.drive}) asks its API with the connected account's token and says
 * {@link ImportReason#AUTH_REQUIRED} when no account is connected. Every request, API calls included, goes through
 * the same guarded fetcher ({@link Context#call}).
 */
public interface ImportSource {
    /** The provider word a caller may name ({@code web}, {@code gdrive}, ...). */
    String id();

    /** Whether this source is the one for {@code url} when the caller names none. */
    boolean recognises(URI url);

    /** What to fetch; may throw {@link ImportFailure} (not found, auth required, too large). */
    Resolved resolve(URI url, Context context);

    /**
     * The export format a caller asked for, checked and as the word the job stores; {@link ImportFailure}
     * {@code invalid_request} naming the allowed ones when this source has no such format (or none at all).
     */
    default String exportFormat(String requested) {
        throw new ImportFailure(ImportReason.INVALID_REQUEST, "Argument 'format' is for Google Docs, Sheets, Slides "
                + "and Drawings (provider gdrive); provider " + id() + " imports files as they are.");
    }

    /** Whether this source's links may carry a password the caller gives (Dropbox, Box). */
    default boolean takesLinkPassword() {
        return false;
    }

    /** What a source may use while it resolves: who asked, the guarded HTTP client, the job's clock. */
    interface Context {
        String principal();

        /** Sends an API request through the guard (redirects, retries, error mapping as for downloads). */
        Reply call(Download request);

        /** Files and bytes a shared folder may bring in at most, its whole tree together. */
        int folderMaxFiles();

        long folderMaxBytes();

        /** How many levels of sub-folders a shared folder's import goes down (0: the folder's own files only). */
        int folderMaxDepth();

        /** The export format word the caller asked for (checked by {@link #exportFormat}), or null. */
        String exportFormat();

        /** The link's password in clear, or null: for the drive's own API only, never for a message or log. */
        String linkPassword();

        /** The largest file the target workspace takes. */
        long maxFileBytes();

        /** When the job must be over. */
        Instant deadline();
    }

    /** A buffered 2xx API answer. */
    record Reply(int status, Function<String, String> header, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A single file or a folder of them. */
    sealed interface Resolved permits Download, Folder {
    }

    /**
     * The files of a shared folder's tree, imported into a folder named {@code name} under the target.
     *
     * @param skipped what was left out (folders past the depth cap, items with no file) with why, for the report
     */
    record Folder(String name, List<Item> files, List<String> skipped) implements Resolved {
    }

    /**
     * One file of a shared folder's tree.
     *
     * @param dir the names of the sub-folders it is in, from the shared folder down (empty: the folder itself), as
     *            the drive spells them (sanitised when written)
     */
    record Item(List<String> dir, Download download) {
        public Item {
            dir = List.copyOf(dir);
        }

        /** Its path inside the shared folder, for the report. */
        public String relativePath() {
            String name = download.name() == null ? FileNames.FALLBACK : download.name();
            return dir.isEmpty() ? name : String.join("/", dir) + "/" + name;
        }
    }

    /** A response that is not 2xx, as a source's API reports it; null lets the fetcher's default mapping decide. */
    @FunctionalInterface
    interface Errors {
        ImportFailure map(int status, String body, Function<String, String> header);
    }

    /** A new set of auth headers after the server refused the old (HTTP 401); throws auth_required when none. */
    @FunctionalInterface
    interface Reauth {
        Map<String, String> renewed(Map<String, String> refused);
    }

    /**
     * @param url         what to fetch
     * @param method      GET, or POST (Dropbox); a 301/302/303 turns it into a GET without body
     * @param headers     extra request headers (a drive's bearer token); dropped when a redirect leaves the host
     * @param body        the POST body, or null
     * @param htmlAllowed false where an HTML page means the source answered with a page instead of the file
     *                    (Drive's virus-scan interstitial): the job then fails {@code html_interstitial}
     * @param name        the file's name from the source's metadata (wins over Content-Disposition), or null
     * @param size        the file's size from the metadata, or null; over the cap fails before any byte is fetched
     * @param errors      the source's error mapping, or null
     * @param reauth      how to get a fresh token after a 401, or null
     */
    record Download(URI url, String method, Map<String, String> headers, byte[] body, boolean htmlAllowed,
                    String name, Long size, Errors errors, Reauth reauth) implements Resolved {

        public static Download get(URI url) {
            return new Download(url, "GET", Map.of(), null, true, null, null, null, null);
        }

        public static Download post(URI url, byte[] body, String contentType) {
            Map<String, String> h = contentType == null ? Map.of() : Map.of("Content-Type", contentType);
            return new Download(url, "POST", h, body == null ? new byte[0] : body, true, null, null, null, null);
        }

        public Download header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Download(url, method, Map.copyOf(h), body, htmlAllowed, this.name, size, errors, reauth);
        }

        /** The same request to another URL (an API key added to the query). */
        public Download at(URI other) {
            return new Download(other, method, headers, body, htmlAllowed, name, size, errors, reauth);
        }

        public Download withHeaders(Map<String, String> replaced) {
            return new Download(url, method, Map.copyOf(replaced), body, htmlAllowed, name, size, errors, reauth);
        }

        public Download noHtml() {
            return new Download(url, method, headers, body, false, name, size, errors, reauth);
        }

        public Download named(String fileName, Long fileSize) {
            return new Download(url, method, headers, body, htmlAllowed, fileName, fileSize, errors, reauth);
        }

        public Download handling(Errors mapping, Reauth renew) {
            return new Download(url, method, headers, body, htmlAllowed, name, size, mapping, renew);
        }
    }
}
