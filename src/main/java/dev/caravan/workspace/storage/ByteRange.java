package dev.caravan.workspace.storage;

/**
 * Which bytes of a file to read: all, from an offset, an offset and a length, or the last n bytes (the forms of
 * an HTTP Range header). A range that starts at or beyond the end reads nothing; one that runs past it is cut.
 */
public final class ByteRange {
    public static final ByteRange ALL = new ByteRange(0, -1, false);

    private final long first;
    private final long count;
    private final boolean suffix;

    private ByteRange(long first, long count, boolean suffix) {
        this.first = first;
        this.count = count;
        this.suffix = suffix;
    }

    /** From {@code offset} to the end. */
    public static ByteRange from(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0");
        }
        return new ByteRange(offset, -1, false);
    }

    /** At most {@code length} bytes starting at {@code offset}. */
    public static ByteRange of(long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be >= 0");
        }
        return new ByteRange(offset, length, false);
    }

    /** The last {@code length} bytes (all of a shorter file). */
    public static ByteRange last(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0");
        }
        return new ByteRange(0, length, true);
    }

    public boolean isAll() {
        return !suffix && first == 0 && count < 0;
    }

    /** The first byte this range reads in a file of {@code size} bytes. */
    public long start(long size) {
        return suffix ? Math.max(0, size - count) : Math.min(first, size);
    }

    /** How many bytes this range reads in a file of {@code size} bytes. */
    public long length(long size) {
        long start = start(size);
        long rest = size - start;
        return suffix || count < 0 ? rest : Math.min(count, rest);
    }

    /** The HTTP Range header value, or null for the whole file. */
    String header() {
        if (isAll()) {
            return null;
        }
        if (suffix) {
            return "bytes=-" + count;
        }
        return count < 0 ? "bytes=" + first + "-" : "bytes=" + first + "-" + (first + count - 1);
    }

    /** A zero-length range reads nothing and needs no request. */
    boolean isEmpty() {
        return count == 0;
    }

    @Override
    public String toString() {
        return isAll() ? "all" : header();
    }
}
