package dev.caravan.workspace.storage;

/**
 * How to write a file.
 *
 * @param precondition what must hold before the write: {@link Precondition#none()} overwrites,
 *                     {@link Precondition#absent()} only creates, {@link Precondition#etag} swaps one version
 * @param size         the content's length if known (e.g. an HTTP Content-Length), or -1. When given, content of
 *                     another length fails the write; S3 uses it to stream without spooling to a temp file.
 */
public record WriteOptions(Precondition precondition, long size) {
    public WriteOptions {
        if (precondition == null) {
            throw new IllegalArgumentException("precondition is required");
        }
        if (size < -1) {
            throw new IllegalArgumentException("size must be -1 (unknown) or >= 0");
        }
    }

    public static WriteOptions overwrite() {
        return new WriteOptions(Precondition.none(), -1);
    }

    public static WriteOptions createOnly() {
        return new WriteOptions(Precondition.absent(), -1);
    }

    public static WriteOptions ifMatch(String etag) {
        return new WriteOptions(Precondition.etag(etag), -1);
    }

    public WriteOptions withSize(long bytes) {
        return new WriteOptions(precondition, bytes);
    }

    public boolean sizeKnown() {
        return size >= 0;
    }
}
