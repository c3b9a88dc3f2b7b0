package dev.caravan.knowledge;

/** Metadata filters of a search; null means any. {@code pathPrefix} is workspace-relative. */
public record SearchFilters(String workspace, String pathPrefix, String mimeType) {
    public static final SearchFilters NONE = new SearchFilters(null, null, null);
}
