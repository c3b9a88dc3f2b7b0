package dev.caravan.knowledge;

/** One chunk found; {@code path} is workspace-relative ({@code kb/expenses.md}). */
public record SearchHit(String chunkId, String knowledgeBase, String workspace, String path, String mimeType,
                        int page, String heading, String text, double score) {
}
