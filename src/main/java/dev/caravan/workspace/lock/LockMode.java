package dev.caravan.workspace.lock;

import dev.caravan.core.EnumIds;

/** Exclusive: one holder, nobody else locks an overlapping path. Shared: any number of shared holders. */
public enum LockMode {
    EXCLUSIVE, SHARED;

    /** The mode named, or null. */
    public static LockMode of(String name) {
        return name == null ? null : EnumIds.of(LockMode.class, name.strip());
    }

    public String id() {
        return EnumIds.id(this);
    }

    /** Whether a lock of this mode and one of {@code other} may both hold overlapping paths. */
    boolean coexistsWith(LockMode other) {
        return this == SHARED && other == SHARED;
    }
}
