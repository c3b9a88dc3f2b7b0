package dev.caravan.knowledge;

import java.util.List;

/**
 * A document's text as extracted, cut into blocks (paragraphs, headings, table rows, list items) that remember the
 * page and the heading they fall under. Blocks are ranges of {@link #text()}, so chunks made of them can be checked
 * to cover all of it.
 */
public record Extracted(String text, String mimeType, List<Block> blocks) {

    /**
     * @param heading the nearest heading above (or this block's own text when it is one), or null
     * @param page    1-based page for paged formats (PDF, slides), else 0
     */
    public record Block(int start, int end, int page, String heading, boolean isHeading) {
    }
}
