package dev.caravan.knowledge;

/**
 * One chunk found; {@code path} is workspace-relative ({@code kb/expenses.md}). In parent-child mode {@code text} is
 * the parent passage and {@code matched} the small chunk that matched inside it; else {@code matched} is null.
 */
public record SearchHit(String chunkId, String knowledgeBase, String workspace, String path, String mimeType,
                        int page, String heading, String text, double score, String matched) {
}
