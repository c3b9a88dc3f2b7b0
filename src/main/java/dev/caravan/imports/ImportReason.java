package dev.caravan.imports;

import java.util.Locale;

/**
 * Why an import job failed, as the word tools and the admin API return. {@code auth_required},
 * {@code html_interstitial} and {@code export_too_large} come from the cloud drives ({@code imports.drive}); the words
 * stay one list.
 */
public enum ImportReason {
    BLOCKED_ADDRESS, TOO_MANY_REDIRECTS, HTTP_STATUS, AUTH_REQUIRED, NOT_FOUND, TOO_LARGE, HTML_INTERSTITIAL,
    EXPORT_TOO_LARGE, RATE_LIMITED, TIMEOUT, CANCELLED, INTERRUPTED,
    /** A Dropbox or Box link refused the password given, or needs one and none was given. */
    PASSWORD_REQUIRED,
    /** onConflict=fail and the target exists. */
    ALREADY_EXISTS,
    /** The URL or target is not usable (scheme, path, workspace). */
    INVALID_REQUEST,
    /** The connection failed or the storage refused the write, for no reason above. */
    FAILED;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ImportReason of(String word) {
        return word == null ? null : valueOf(word.toUpperCase(Locale.ROOT));
    }
}
