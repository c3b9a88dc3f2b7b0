package dev.caravan.knowledge;

/** A chunk as the index keeps it: its text and metadata and the vector of its embed text. */
public record IndexedChunk(String chunkId, String workspace, String path, String mimeType, int page, String heading,
                           String text, float[] vector) {
}
