package dev.caravan.knowledge;

/**
 * A chunk as the database keeps it (the vector is in the embedding cache, by model and chunk hash); {@code context}
 * is its parent passage in parent-child mode, else null.
 */
public record StoredChunk(String chunkId, String workspace, String path, int ordinal, String chunkHash, String model,
                          int page, String heading, int start, int end, String text, String context) {
}
