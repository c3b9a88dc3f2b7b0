package dev.caravan.workspace.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An open read: the bytes of a range, streamed, with the file's info as of the moment it was opened (so an HTTP
 * response can send ETag, Content-Length and Content-Range that match the bytes). Close it, or the backend's file
 * handle or connection stays open.
 */
public final class FileContent implements Closeable {
    private final FileInfo info;
    private final long offset;
    private final long length;
    private final InputStream stream;

    FileContent(FileInfo info, long offset, long length, InputStream stream) {
        this.info = info;
        this.offset = offset;
        this.length = length;
        this.stream = stream;
    }

    /** The whole file's info: its full size and the etag of the version being read. */
    public FileInfo info() {
        return info;
    }

    /** Where in the file the stream starts. */
    public long offset() {
        return offset;
    }

    /** How many bytes the stream delivers. */
    public long length() {
        return length;
    }

    public InputStream stream() {
        return stream;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
