package dev.caravan.workspace.share;

import java.util.Locale;

/**
 * What a share link lets its holder do. {@link #VIEW} shows files in the browser (inline), {@link #DOWNLOAD} sends
 * them as attachments; both list a shared folder. {@link #UPLOAD} only adds new files to a shared folder (a drop
 * box): it neither lists nor reads, so holders of the link cannot see each other's uploads.
 */
public enum SharePermission {
    VIEW, DOWNLOAD, UPLOAD;

    /** The permission named (case-insensitive), or null. */
    public static SharePermission of(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean reads() {
        return this != UPLOAD;
    }
}
