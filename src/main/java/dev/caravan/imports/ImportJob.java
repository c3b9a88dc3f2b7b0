package dev.caravan.imports;

import java.time.Instant;

/**
 * One import job as stored (table import_job).
 *
 * @param target      the requested path: a folder ending in {@code /} or a file path
 * @param onConflict  rename, overwrite or fail
 * @param principal   who asked (the audit trail's principal); jobs are listed per principal
 * @param writtenPath the file written, once done
 * @param attempts    how often a node started it (a job whose node died is started once more)
 * @param files       a shared folder's import: the per-file report as JSON, else null
 * @param exportFormat the Google export format word asked for (docx, pdf, md ...), or null for the defaults
 * @param linkPassword the link's password (Dropbox, Box) sealed by {@link LinkPasswords}, or null; cleared at the end
 */
public record ImportJob(String id, String workspace, String target, String url, String provider, String onConflict,
                        String principal, String endpoint, ImportState state, ImportReason reason, String detail,
                        Integer httpStatus, long bytes, Long total, String writtenPath, String etag, String sha256,
                        String contentType, int attempts, boolean cancelRequested, String leaseOwner,
                        Instant leaseUntil, Instant createdAt, Instant updatedAt, Instant finishedAt, String files,
                        String exportFormat, String linkPassword) {

    /** A new queued job. */
    public static ImportJob queued(String id, String workspace, String target, String url, String provider,
                                   String onConflict, String principal, String endpoint, Instant now) {
        return queued(id, workspace, target, url, provider, onConflict, principal, endpoint, now, null, null);
    }

    /** A new queued job with a drive link's options ({@code sealedPassword} already sealed). */
    public static ImportJob queued(String id, String workspace, String target, String url, String provider,
                                   String onConflict, String principal, String endpoint, Instant now,
                                   String exportFormat, String sealedPassword) {
        return new ImportJob(id, workspace, target, url, provider, onConflict, principal, endpoint, ImportState.QUEUED,
                null, null, null, 0, null, null, null, null, null, 0, false, null, null, now, now, null, null,
                exportFormat, sealedPassword);
    }
}
