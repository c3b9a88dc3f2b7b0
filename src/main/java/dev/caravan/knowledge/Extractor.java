package dev.caravan.knowledge;

import org.apache.tika.config.TikaConfig;
import org.apache.tika.exception.TikaException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Extracts text with Apache Tika: one auto-detecting parser and one handler per document. The handler keeps what
 * chunking and citation need: PDF and slide pages, headings, and table rows, each row written with its header
 * ({@code Region: North; Amount: 120}) so that a row found alone still says what its numbers are.
 */
public final class Extractor {
    private volatile Parser parser;

    /** Tika's parsers are found and configured on first use (seconds of start-up otherwise, with no base declared). */
    private Parser parser() {
        Parser p = parser;
        if (p == null) {
            synchronized (this) {
                if (parser == null) {
                    parser = new AutoDetectParser(TikaConfig.getDefaultConfig());
                }
                p = parser;
            }
        }
        return p;
    }

    /** Thrown for a document Tika cannot read (corrupt, encrypted): the document is marked failed with this reason. */
    public static final class ExtractionException extends Exception {
        public ExtractionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Extracted extract(InputStream content, String fileName, long maxChars) throws ExtractionException {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        BlockHandler handler = new BlockHandler(maxChars);
        try {
            parser().parse(content, handler, metadata, new ParseContext());
        } catch (IOException | SAXException | TikaException e) {
            throw new ExtractionException("could not extract text (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())) + ")", e);
        } catch (RuntimeException e) {
            throw new ExtractionException("the parser failed (" + e.getClass().getSimpleName() + ")", e);
        }
        if (handler.tooLong) {
            throw new ExtractionException("the document has more than " + maxChars + " characters of text", null);
        }
        String type = metadata.get(Metadata.CONTENT_TYPE);
        String mime = type == null ? "application/octet-stream" : type.split(";")[0].trim();
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (mime.startsWith("text/") && (lower.endsWith(".csv") || lower.endsWith(".tsv"))) {
            mime = lower.endsWith(".csv") ? "text/csv" : "text/tab-separated-values"; // Tika may say text/plain
        }
        return handler.result(mime);
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    /** Collects XHTML SAX events into blocks. */
    private static final class BlockHandler extends DefaultHandler {
        private static final Set<String> BLOCKS = Set.of("p", "div", "li", "pre", "blockquote", "dt", "dd", "title",
                "td", "th", "tr", "table", "br", "ul", "ol", "section", "article", "body");

        private final long maxChars;
        private final StringBuilder text = new StringBuilder();
        private final List<Extracted.Block> blocks = new ArrayList<>();
        private final StringBuilder current = new StringBuilder();
        private int page;
        private String heading;
        private int headingDepth;
        private final StringBuilder headingText = new StringBuilder();
        private int tableDepth;
        private List<String> header;
        private List<String> row;
        private StringBuilder cell;
        private boolean tooLong;
        private boolean inHead;

        BlockHandler(long maxChars) {
            this.maxChars = maxChars;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            String name = localName.toLowerCase(Locale.ROOT);
            if (name.equals("head")) {
                inHead = true;
                return;
            }
            if (name.equals("div") && "page".equals(atts.getValue("class")) || name.equals("div")
                    && "slide-content".equals(atts.getValue("class"))) {
                flush(false);
                page++;
                return;
            }
            if (isHeading(name)) {
                flush(false);
                headingDepth++;
                headingText.setLength(0);
                return;
            }
            if (name.equals("table")) {
                flush(false);
                tableDepth++;
                if (tableDepth == 1) {
                    header = null;
                }
                return;
            }
            if (tableDepth > 0) {
                if (name.equals("tr")) {
                    row = new ArrayList<>();
                } else if (name.equals("td") || name.equals("th")) {
                    cell = new StringBuilder();
                }
                return;
            }
            if (BLOCKS.contains(name)) {
                flush(false);
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            String name = localName.toLowerCase(Locale.ROOT);
            if (name.equals("head")) {
                inHead = false;
                return;
            }
            if (isHeading(name) && headingDepth > 0) {
                headingDepth--;
                String h = headingText.toString().replaceAll("\\s+", " ").strip();
                if (!h.isEmpty()) {
                    heading = h;
                    current.append(h);
                    flush(true);
                }
                return;
            }
            if (tableDepth > 0) {
                if ((name.equals("td") || name.equals("th")) && row != null && cell != null) {
                    row.add(cell.toString().replaceAll("\\s+", " ").strip());
                    cell = null;
                } else if (name.equals("tr") && row != null) {
                    writeRow(row);
                    row = null;
                } else if (name.equals("table")) {
                    tableDepth--;
                }
                return;
            }
            if (BLOCKS.contains(name)) {
                flush(false);
            }
        }

        private void writeRow(List<String> cells) {
            if (cells.stream().allMatch(String::isEmpty)) {
                return;
            }
            if (header == null) {
                header = cells;
                current.append(String.join(" | ", cells));
            } else {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < cells.size(); i++) {
                    if (cells.get(i).isEmpty()) {
                        continue;
                    }
                    if (!line.isEmpty()) {
                        line.append("; ");
                    }
                    String h = i < header.size() && !header.get(i).isEmpty() ? header.get(i) : "Column " + (i + 1);
                    line.append(h).append(": ").append(cells.get(i));
                }
                current.append(line);
            }
            flush(false);
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (inHead) {
                return;
            }
            if (headingDepth > 0) {
                headingText.append(ch, start, length);
            } else if (cell != null) {
                cell.append(ch, start, length);
            } else if (tableDepth == 0) {
                current.append(ch, start, length);
            }
        }

        @Override
        public void ignorableWhitespace(char[] ch, int start, int length) {
            // Tika reports layout newlines here; block boundaries already separate text.
        }

        private void flush(boolean isHeading) {
            String block = normalise(current);
            current.setLength(0);
            if (block.isEmpty()) {
                return;
            }
            if (!text.isEmpty()) {
                text.append("\n\n");
            }
            if (text.length() + block.length() > maxChars) {
                tooLong = true;
                return;
            }
            int start = text.length();
            text.append(block);
            blocks.add(new Extracted.Block(start, text.length(), page, heading, isHeading));
        }

        /** Runs of spaces collapsed; single line breaks kept (code, addresses), blank-line runs made one. */
        private static String normalise(CharSequence s) {
            String t = s.toString().replace('\u00a0', ' ').replace("\r", "");
            t = t.replaceAll("[ \\t\\x0B\\f]+", " ").replaceAll(" *\\n *", "\n").replaceAll("\\n{3,}", "\n\n");
            return t.strip();
        }

        /** One CSV line's cells ("quoted, with commas" and "" for a quote). */
        private static List<String> cells(String line, char sep) {
            List<String> out = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cell.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == sep) {
                    out.add(cell.toString().strip());
                    cell.setLength(0);
                } else {
                    cell.append(c);
                }
            }
            out.add(cell.toString().strip());
            return out;
        }

        private static boolean isHeading(String name) {
            return name.length() == 2 && name.charAt(0) == 'h' && name.charAt(1) >= '1' && name.charAt(1) <= '6';
        }

        Extracted result(String mimeType) {
            flush(false);
            if (mimeType.equals("text/csv") || mimeType.equals("text/tab-separated-values")) {
                // Tika gives CSV as plain text: write its rows with their header, as for spreadsheet tables.
                String raw = text.toString();
                text.setLength(0);
                blocks.clear();
                char sep = mimeType.equals("text/csv") ? ',' : '\t';
                header = null;
                for (String line : raw.split("\n")) {
                    if (!line.isBlank()) {
                        writeRow(cells(line, sep));
                    }
                }
            }
            boolean markdown = mimeType.contains("markdown");
            String all = text.toString();
            List<Extracted.Block> split = new ArrayList<>();
            for (Extracted.Block b : blocks) {
                String h = b.heading();
                int at = b.start();
                while (at < b.end()) {
                    int blank = all.indexOf("\n\n", at);
                    int partEnd = blank < 0 || blank >= b.end() ? b.end() : blank;
                    // Plain-text parsers give a whole file as one block: its blank lines are the paragraphs, and
                    // in Markdown a line that starts with '#' is a heading.
                    int lineStart = at;
                    while (lineStart < partEnd) {
                        int nl = all.indexOf('\n', lineStart);
                        int lineEnd = nl < 0 || nl > partEnd ? partEnd : nl;
                        String line = all.substring(lineStart, lineEnd);
                        if (markdown && line.matches("#{1,6}\\s+\\S.*")) {
                            if (lineStart > at) {
                                split.add(new Extracted.Block(at, lineStart - 1, b.page(), h, false));
                            }
                            h = line.replaceFirst("^#+\\s+", "").strip();
                            split.add(new Extracted.Block(lineStart, lineEnd, b.page(), h, true));
                            at = Math.min(lineEnd + 1, partEnd);
                        }
                        lineStart = lineEnd + 1;
                    }
                    if (at < partEnd) {
                        split.add(new Extracted.Block(at, partEnd, b.page(), h, b.isHeading()));
                    }
                    at = partEnd + 2;
                }
            }
            return new Extracted(all, mimeType, List.copyOf(split));
        }
    }
}
