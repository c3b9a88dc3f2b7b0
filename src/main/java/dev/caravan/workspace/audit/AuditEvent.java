package dev.caravan.workspace.audit;

import java.time.Instant;

/**
 * One workspace operation as recorded.
 *
 * @param principal   who: {@code endpoint/credential}, {@code system} outside MCP, or what another face names
 * @param endpoint    the MCP endpoint it came through, or null
 * @param workspace   null for operations on no workspace (list_workspaces)
 * @param operation   e.g. write_file, lock_acquire, http_get, share_download
 * @param path        the path (the source of a move or copy), or null
 * @param destination the destination of a move or copy, or null
 * @param outcome     {@link AuditOutcome#OK} or the failure class
 * @param detail      for failures, the message the caller got (agent-safe), cut to 500 characters
 * @param bytes       bytes read or written (0 when none)
 */
public record AuditEvent(Long id, Instant at, String principal, String endpoint, String workspace, String operation,
                         String path, String destination, String outcome, String detail, long bytes,
                         long durationMs) {

    /** A new event (the id is assigned when stored). */
    public static AuditEvent of(Instant at, String principal, String endpoint, String workspace, String operation,
                                String path, String destination, String outcome, String detail, long bytes,
                                long durationMs) {
        return new AuditEvent(null, at, principal == null ? "system" : principal, endpoint, workspace, operation,
                cut(path, 4000), cut(destination, 4000), outcome, cut(detail, 500), Math.max(0, bytes),
                Math.max(0, durationMs));
    }

    /** Cut to the column's size, control characters (a hostile path's NUL byte) shown as '?'. */
    private static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        String clean = s.chars().anyMatch(Character::isISOControl)
                ? s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString() : s;
        return clean.length() <= max ? clean : clean.substring(0, max - 3) + "...";
    }
}
