package dev.caravan.workspace.share;

import dev.caravan.core.EnumIds;

/**
 * What a share link lets its holder do. {@link #VIEW} shows files in the browser (inline), {@link #DOWNLOAD} sends
 * them as attachments; both list a shared folder. {@link #UPLOAD} only adds new files to a shared folder (a drop
 * box): it neither lists nor reads, so holders of the link cannot see each other's uploads.
 */
public enum SharePermission {
    VIEW, DOWNLOAD, UPLOAD;

    /** The permission named (case-insensitive), or null. */
    public static SharePermission of(String name) {
        return name == null ? null : EnumIds.of(SharePermission.class, name.strip());
    }

    public String id() {
        return EnumIds.id(this);
    }

    public boolean reads() {
        return this != UPLOAD;
    }
}
