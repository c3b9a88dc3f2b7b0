package dev.caravan.knowledge;

import java.time.Instant;

/** One document's ingestion record: {@code status} is queued, extracting, embedding, indexed, failed or skipped. */
public record DocumentState(String base, String workspace, String path, String status, String reason,
                            String contentHash, String etag, String mimeType, long extractedChars, long chunkedChars,
                            int chunkCount, int attempts, Instant queuedAt, Instant updatedAt) {
    public static final String QUEUED = "queued";
    public static final String EXTRACTING = "extracting";
    public static final String EMBEDDING = "embedding";
    public static final String INDEXED = "indexed";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
}
