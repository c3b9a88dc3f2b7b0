package dev.caravan.knowledge;

/**
 * A piece of a document to embed: {@code text} is exactly {@code extracted.substring(start, end)};
 * {@code embedText} is what the model sees (the heading put in front when the chunk does not start with it).
 */
public record Chunk(int ordinal, int start, int end, String text, String embedText, int page, String heading,
                    int tokens) {
}
