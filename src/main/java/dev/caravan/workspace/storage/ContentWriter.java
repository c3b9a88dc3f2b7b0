package dev.caravan.workspace.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces a file's content into a stream the storage owns. If it throws, the write is abandoned and the old
 * file (if any) stays as it was. It need not close {@code out}; the storage does.
 */
@FunctionalInterface
public interface ContentWriter {
    void writeTo(OutputStream out) throws IOException;
}
