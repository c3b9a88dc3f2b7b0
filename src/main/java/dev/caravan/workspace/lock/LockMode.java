package dev.caravan.workspace.lock;

import java.util.Locale;

/** Exclusive: one holder, nobody else locks an overlapping path. Shared: any number of shared holders. */
public enum LockMode {
    EXCLUSIVE, SHARED;

    /** The mode named, or null. */
    public static LockMode of(String name) {
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

    /** Whether a lock of this mode and one of {@code other} may both hold overlapping paths. */
    boolean coexistsWith(LockMode other) {
        return this == SHARED && other == SHARED;
    }
}
