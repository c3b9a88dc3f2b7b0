package dev.caravan.knowledge;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recursive chunking by the embedding model's own token count: a section (a heading and what follows) is one chunk
 * when it fits; else its paragraphs are packed, a paragraph too big is cut at lines, then sentences, then words,
 * then (text without spaces) characters. Consecutive chunks of a section share about {@code overlap} tokens.
 * Nothing is ever dropped or cut silently: every chunk's text, heading included, is counted again with the real
 * tokenizer and split further if it does not fit the model's window.
 */
public final class Chunker {
    private static final Pattern SENTENCE = Pattern.compile("(?<=[.!?;:])\\s+");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private final EmbeddingModel model;
    private final int size;
    private final int overlap;

    public Chunker(EmbeddingModel model, int size, int overlap) {
        if (size < 16 || size > model.maxTokens()) {
            throw new IllegalArgumentException("chunk size must be between 16 and the model's window ("
                    + model.maxTokens() + " tokens), not " + size);
        }
        if (overlap < 0 || overlap >= size / 2) {
            throw new IllegalArgumentException("chunk overlap must be at least 0 and less than half the size ("
                    + size / 2 + "), not " + overlap);
        }
        this.model = model;
        this.size = size;
        this.overlap = overlap;
    }

    private record Piece(int start, int end, int tokens) {
    }

    public List<Chunk> chunk(Extracted doc) {
        String text = doc.text();
        List<Chunk> out = new ArrayList<>();
        List<Extracted.Block> section = new ArrayList<>();
        for (Extracted.Block b : doc.blocks()) {
            // A section ends at a heading and at a page break, so that a chunk's page is exact for citation.
            if (!section.isEmpty() && (b.isHeading() || b.page() != section.get(section.size() - 1).page())) {
                chunkSection(text, section, out);
                section = new ArrayList<>();
            }
            section.add(b);
        }
        if (!section.isEmpty()) {
            chunkSection(text, section, out);
        }
        return out;
    }

    private void chunkSection(String text, List<Extracted.Block> blocks, List<Chunk> out) {
        Extracted.Block first = blocks.get(0);
        String heading = first.heading();
        int headingTokens = heading == null ? 0 : tokens(heading + "\n");
        int budget = Math.max(8, size - 2 - headingTokens);
        List<Piece> pieces = new ArrayList<>();
        for (Extracted.Block b : blocks) {
            split(text, b.start(), b.end(), 0, budget, pieces);
        }
        List<Piece> current = new ArrayList<>();
        int sum = 0;
        for (Piece p : pieces) {
            if (!current.isEmpty() && sum + p.tokens > budget) {
                emit(text, current, blocks, out);
                List<Piece> carried = new ArrayList<>();
                int carriedTokens = 0;
                for (int i = current.size() - 1; i > 0; i--) {
                    Piece c = current.get(i);
                    if (carriedTokens + c.tokens > overlap || carriedTokens + c.tokens + p.tokens > budget) {
                        break;
                    }
                    carried.add(0, c);
                    carriedTokens += c.tokens;
                }
                current = carried;
                sum = carriedTokens;
            }
            current.add(p);
            sum += p.tokens;
        }
        if (!current.isEmpty()) {
            emit(text, current, blocks, out);
        }
    }

    private void emit(String text, List<Piece> pieces, List<Extracted.Block> blocks, List<Chunk> out) {
        int start = pieces.get(0).start;
        int end = pieces.get(pieces.size() - 1).end;
        Extracted.Block at = blocks.get(0);
        for (Extracted.Block b : blocks) {
            if (b.start() <= start) {
                at = b;
            }
        }
        String body = text.substring(start, end);
        String heading = at.heading();
        String embed = heading == null || body.startsWith(heading) ? body : heading + "\n" + body;
        int count = model.countTokens(embed);
        if (count > model.maxTokens()) {
            // Token counts of pieces do not always add up exactly; halve and try again rather than let the model cut.
            if (pieces.size() > 1) {
                emit(text, pieces.subList(0, pieces.size() / 2), blocks, out);
                emit(text, pieces.subList(pieces.size() / 2, pieces.size()), blocks, out);
                return;
            }
            List<Piece> finer = new ArrayList<>();
            split(text, start, end, 3, Math.max(8, pieces.get(0).tokens / 2), finer);
            if (finer.size() > 1) {
                emit(text, finer.subList(0, finer.size() / 2), blocks, out);
                emit(text, finer.subList(finer.size() / 2, finer.size()), blocks, out);
                return;
            }
            throw new IllegalStateException("a piece of " + count + " tokens cannot be split further");
        }
        out.add(new Chunk(out.size(), start, end, body, embed, at.page(), heading, count));
    }

    /** Adds the ranges of [start, end) that fit the budget, cut at the given level and finer ones as needed. */
    private void split(String text, int start, int end, int level, int budget, List<Piece> out) {
        int[] trimmed = trim(text, start, end);
        start = trimmed[0];
        end = trimmed[1];
        if (start >= end) {
            return;
        }
        int t = tokens(text.substring(start, end));
        if (t <= budget) {
            out.add(new Piece(start, end, t));
            return;
        }
        if (level >= 3) {
            splitCharacters(text, start, end, budget, out);
            return;
        }
        Pattern boundary = switch (level) {
            case 0 -> Pattern.compile("\\n");
            case 1 -> SENTENCE;
            default -> SPACE;
        };
        List<int[]> parts = new ArrayList<>();
        Matcher m = boundary.matcher(text).region(start, end);
        int at = start;
        while (m.find()) {
            parts.add(new int[]{at, m.start()});
            at = m.end();
        }
        parts.add(new int[]{at, end});
        if (parts.size() == 1) {
            split(text, start, end, level + 1, budget, out);
            return;
        }
        // Words are packed back together here (a sentence of 1000 words is not 1000 pieces of one word).
        if (level == 2) {
            int s = parts.get(0)[0];
            int e = s;
            for (int[] p : parts) {
                if (e > s && tokens(text.substring(s, p[1])) > budget) {
                    split(text, s, e, 3, budget, out);
                    s = p[0];
                }
                e = p[1];
            }
            split(text, s, e, 3, budget, out);
            return;
        }
        for (int[] p : parts) {
            split(text, p[0], p[1], level + 1, budget, out);
        }
    }

    private void splitCharacters(String text, int start, int end, int budget, List<Piece> out) {
        int at = start;
        while (at < end) {
            int lo = at + 1;
            int hi = end;
            while (lo < hi) { // the longest prefix that fits
                int mid = (lo + hi + 1) >>> 1;
                if (tokens(text.substring(at, mid)) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (Character.isHighSurrogate(text.charAt(lo - 1)) && lo < end && lo - 1 > at) {
                lo--;
            }
            out.add(new Piece(at, lo, tokens(text.substring(at, lo))));
            at = lo;
        }
    }

    private static int[] trim(String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return new int[]{start, end};
    }

    /** Tokens without the two special tokens, which a chunk has once. */
    private int tokens(String s) {
        return Math.max(0, model.countTokens(s) - 2);
    }
}
