package dev.caravan.imports.drive;

import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The formats Google Drive exports its own documents as ("Export MIME types for Google Workspace documents" in the
 * Drive API guide), by the word a caller gives ({@code format}: the file extension, or the MIME type itself). The
 * first format of each type is its default: docx, xlsx, pptx, pdf for Drawings, json for Apps Script.
 */
final class GoogleExports {
    /** One export: the word, the MIME type {@code files.export} takes, the extension the file gets. */
    record Format(String word, String mime, String extension) {
    }

    private static final String DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static final String PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    private static final Map<String, List<Format>> BY_TYPE = new LinkedHashMap<>();
    private static final Map<String, String> NAMES = Map.of("application/vnd.google-apps.document", "Google Doc",
            "application/vnd.google-apps.spreadsheet", "Google Sheet", "application/vnd.google-apps.presentation",
            "Google Slides presentation", "application/vnd.google-apps.drawing", "Google Drawing",
            "application/vnd.google-apps.script", "Apps Script project");

    static {
        BY_TYPE.put("application/vnd.google-apps.document", List.of(f("docx", DOCX),
                f("odt", "application/vnd.oasis.opendocument.text"), f("rtf", "application/rtf"),
                f("pdf", "application/pdf"), f("txt", "text/plain"), f("html", "text/html"),
                f("zip", "application/zip"), f("epub", "application/epub+zip"), f("md", "text/markdown")));
        BY_TYPE.put("application/vnd.google-apps.spreadsheet", List.of(f("xlsx", XLSX),
                f("ods", "application/vnd.oasis.opendocument.spreadsheet"), f("pdf", "application/pdf"),
                f("zip", "application/zip"), f("csv", "text/csv"), f("tsv", "text/tab-separated-values")));
        BY_TYPE.put("application/vnd.google-apps.presentation", List.of(f("pptx", PPTX),
                f("odp", "application/vnd.oasis.opendocument.presentation"), f("pdf", "application/pdf"),
                f("txt", "text/plain"), f("jpg", "image/jpeg"), f("png", "image/png"), f("svg", "image/svg+xml")));
        BY_TYPE.put("application/vnd.google-apps.drawing", List.of(f("pdf", "application/pdf"),
                f("jpg", "image/jpeg"), f("png", "image/png"), f("svg", "image/svg+xml")));
        BY_TYPE.put("application/vnd.google-apps.script", List.of(f("json",
                "application/vnd.google-apps.script+json")));
    }

    private static Format f(String word, String mime) {
        return new Format(word, mime, "." + word);
    }

    private GoogleExports() {
    }

    static boolean exportable(String googleType) {
        return BY_TYPE.containsKey(googleType);
    }

    /** Every word some Google type exports as. */
    static Set<String> words() {
        return BY_TYPE.values().stream().flatMap(List::stream).map(Format::word)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The word for what a caller gave (a word, with or without its dot, or a MIME type); invalid_request if none. */
    static String word(String requested) {
        String r = requested.strip().toLowerCase(Locale.ROOT);
        String w = r.startsWith(".") ? r.substring(1) : r;
        for (List<Format> formats : BY_TYPE.values()) {
            for (Format f : formats) {
                if (f.word().equals(w) || f.mime().equals(r)) {
                    return f.word();
                }
            }
        }
        throw new ImportFailure(ImportReason.INVALID_REQUEST, "Google Drive exports no format '" + cut(requested)
                + "'; format is one of " + String.join(", ", words()) + " (or its MIME type).");
    }

    /**
     * The export for an item of {@code googleType}: the word asked for, else the type's default. {@code strict}: a
     * word this type does not export is an error naming the ones it does; otherwise (a folder's other items) the
     * default is used.
     */
    static Format choose(String googleType, String word, boolean strict) {
        List<Format> formats = BY_TYPE.get(googleType);
        if (word != null) {
            for (Format f : formats) {
                if (f.word().equals(word)) {
                    return f;
                }
            }
            if (strict) {
                throw new ImportFailure(ImportReason.INVALID_REQUEST, "A " + NAMES.get(googleType) + " does not "
                        + "export as " + word + "; format is one of " + formats.stream().map(Format::word)
                        .collect(Collectors.joining(", ")) + " for it.");
            }
        }
        return formats.get(0);
    }

    private static String cut(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
    }
}
