package dev.caravan.workspace.versions;

import java.time.Instant;

/**
 * One kept earlier version of a file.
 *
 * @param id     opaque, sortable by time; what {@code restore_version} takes
 * @param saved  when this content was replaced or deleted
 * @param size   bytes
 * @param reason what replaced it: {@code overwrite}, {@code delete}, {@code move} (something was moved or copied
 *               over it) or {@code restore}
 */
public record FileVersion(String id, Instant saved, long size, String reason) {
}
