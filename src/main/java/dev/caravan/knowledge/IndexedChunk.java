package dev.caravan.knowledge;

/**
 * A chunk as the index keeps it: its text and metadata and the vector of its embed text; {@code context} is the
 * parent passage search returns instead of the text (parent-child mode), else null.
 */
public record IndexedChunk(String chunkId, String workspace, String path, String mimeType, int page, String heading,
                           String text, float[] vector, String context) {
    public IndexedChunk(String chunkId, String workspace, String path, String mimeType, int page, String heading,
                        String text, float[] vector) {
        this(chunkId, workspace, path, mimeType, page, heading, text, vector, null);
    }
}
