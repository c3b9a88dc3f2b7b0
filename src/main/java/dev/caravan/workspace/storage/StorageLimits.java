package dev.caravan.workspace.storage;

/**
 * Caps a backend enforces itself, so that no caller can forget them.
 *
 * @param maxFileBytes largest file a write may produce
 */
public record StorageLimits(long maxFileBytes) {
    /** One S3 PUT (and one CopyObject) takes at most 5 GiB, so this is the most either backend allows by default. */
    public static final StorageLimits DEFAULT = new StorageLimits(5L << 30);

    public StorageLimits {
        if (maxFileBytes < 0) {
            throw new IllegalArgumentException("maxFileBytes must be >= 0");
        }
    }

    static String describe(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
