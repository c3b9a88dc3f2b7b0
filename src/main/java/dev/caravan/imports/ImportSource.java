package dev.caravan.imports;

import java.net.URI;
import java.util.Map;

/**
 * Where an import's bytes come from: turns the URL a user gave into the HTTP request that downloads the file. The
 * plain web ({@link WebSource}) takes the URL as it is; a cloud drive (Google Drive, OneDrive, Dropbox, Box; not
 * built yet) will turn a share link into its API's download URL with the connected account's token, and say
 * {@link ImportReason#AUTH_REQUIRED} when no account is connected. Every request still goes through the same
 * guarded fetcher.
 */
public interface ImportSource {
    /** The provider word a caller may name ({@code web}, later {@code gdrive}, ...). */
    String id();

    /** Whether this source is the one for {@code url} when the caller names none. */
    boolean recognises(URI url);

    /** The request to fetch; may throw {@link ImportFailure} (not found, auth required). */
    Download resolve(URI url);

    /**
     * @param url         what to GET
     * @param headers     extra request headers (a drive's bearer token); dropped when a redirect leaves the host
     * @param htmlAllowed false where an HTML page means the source answered with a page instead of the file
     *                    (Drive's virus-scan interstitial): the job then fails {@code html_interstitial}
     */
    record Download(URI url, Map<String, String> headers, boolean htmlAllowed) {
    }
}
