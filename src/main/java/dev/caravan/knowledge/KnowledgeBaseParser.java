package dev.caravan.knowledge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a declaration (a map from YAML or JSON) into a {@link KnowledgeBase}, with defaults for all but name and sources. */
public final class KnowledgeBaseParser {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Set<String> KEYS = Set.of("name", "sources", "chunking", "embedding", "index", "maxFileBytes",
            "pipeline");
    private static final Pattern TEMPLATE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    public static final long DEFAULT_MAX_FILE_BYTES = 50L * 1024 * 1024;

    private final EmbeddingModels models;

    public KnowledgeBaseParser(EmbeddingModels models) {
        this.models = models;
    }

    public KnowledgeBase parse(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new KnowledgeBaseException("unknown field '" + key + "' (known: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        String name = string(map.get("name"), "name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new KnowledgeBaseException("name must be 1-64 lower-case letters, digits, '-' or '_', starting with "
                    + "a letter or digit, e.g. \"kb\"");
        }
        if (!(map.get("sources") instanceof List<?> rawSources) || rawSources.isEmpty()) {
            throw new KnowledgeBaseException(name + ": sources must be a non-empty list, e.g. "
                    + "[{\"workspace\":\"default\",\"include\":[\"kb/**\"]}]");
        }
        List<KnowledgeBase.Source> sources = new ArrayList<>();
        for (Object o : rawSources) {
            if (!(o instanceof Map<?, ?> s)) {
                throw new KnowledgeBaseException(name + ": each source must be an object with workspace and include");
            }
            String workspace = string(s.get("workspace"), "sources[].workspace");
            if (workspace == null || workspace.isBlank()) {
                throw new KnowledgeBaseException(name + ": a source needs a workspace, e.g. \"default\"");
            }
            List<String> include = globs(s.get("include"), name, "include");
            if (include.isEmpty()) {
                include = List.of("**");
            }
            sources.add(new KnowledgeBase.Source(workspace, include, globs(s.get("exclude"), name, "exclude")));
        }
        // The model first: chunk sizes default to (and are bounded by) its window.
        EmbeddingSpec embedding = EmbeddingSpec.parse(map.get("embedding"), name, models.inProcess().id());
        EmbeddingModel model;
        try {
            model = models.model(embedding);
        } catch (KnowledgeBaseException e) {
            throw new KnowledgeBaseException(name + ": " + e.getMessage());
        }
        String mode = KnowledgeBase.Chunking.RECURSIVE;
        if (map.get("chunking") instanceof Map<?, ?> c && c.get("mode") != null) {
            mode = string(c.get("mode"), "chunking.mode");
            if (!mode.equals(KnowledgeBase.Chunking.RECURSIVE) && !mode.equals(KnowledgeBase.Chunking.PARENT_CHILD)) {
                throw new KnowledgeBaseException(name + ": chunking.mode is \"recursive\" or \"parent-child\", not "
                        + mode);
            }
        }
        boolean parentChild = mode.equals(KnowledgeBase.Chunking.PARENT_CHILD);
        // Parent-child: small chunks (a quarter of the window) are matched, parents of a whole window returned.
        int defaultSize = parentChild ? model.maxTokens() / 4 : model.maxTokens() / 2;
        int size = defaultSize;
        int overlap = defaultSize / 8;
        int parentSize = parentChild ? model.maxTokens() : 0;
        if (map.get("chunking") instanceof Map<?, ?> c) {
            for (Object key : c.keySet()) {
                if (!Set.of("size", "overlap", "mode", "parentSize").contains(String.valueOf(key))) {
                    throw new KnowledgeBaseException(name + ": unknown chunking field '" + key + "' (known: mode, "
                            + "overlap, parentSize, size)");
                }
            }
            size = integer(c.get("size"), size, name, "chunking.size");
            overlap = integer(c.get("overlap"), Math.min(overlap, size / 8), name, "chunking.overlap");
            if (c.get("parentSize") != null && !parentChild) {
                throw new KnowledgeBaseException(name + ": chunking.parentSize needs \"mode\": \"parent-child\"");
            }
            parentSize = integer(c.get("parentSize"), parentSize, name, "chunking.parentSize");
        } else if (map.get("chunking") != null) {
            throw new KnowledgeBaseException(name + ": chunking must be an object such as {\"size\":256,\"overlap\":32}");
        }
        if (parentChild && (parentSize <= size || parentSize > model.maxTokens())) {
            throw new KnowledgeBaseException(name + ": chunking.parentSize must be larger than the size (" + size
                    + ") and at most " + model.maxTokens() + " tokens, not " + parentSize);
        }
        if (size < 16 || size > model.maxTokens()) {
            throw new KnowledgeBaseException(name + ": chunking.size must be between 16 and " + model.maxTokens()
                    + " tokens (the window of " + model.id() + "), not " + size);
        }
        if (overlap < 0 || overlap >= size / 2) {
            throw new KnowledgeBaseException(name + ": chunking.overlap must be at least 0 and less than half the size, "
                    + "not " + overlap);
        }
        String index = "lucene";
        if (map.get("index") instanceof Map<?, ?> i && i.get("type") != null) {
            index = string(i.get("type"), "index.type");
        } else if (map.get("index") instanceof String s) {
            index = s;
        }
        if (!index.equals("lucene")) {
            throw new KnowledgeBaseException(name + ": index '" + index + "' is not available; this build has "
                    + "\"lucene\" (embedded, on disk under the data directory)");
        }
        long maxBytes = map.get("maxFileBytes") == null ? DEFAULT_MAX_FILE_BYTES
                : integer(map.get("maxFileBytes"), 0, name, "maxFileBytes");
        if (maxBytes < 1) {
            throw new KnowledgeBaseException(name + ": maxFileBytes must be positive");
        }
        String pipeline = map.get("pipeline") == null ? KnowledgeBase.DEFAULT_PIPELINE
                : string(map.get("pipeline"), "pipeline");
        if (!TEMPLATE_ID.matcher(pipeline).matches()) {
            throw new KnowledgeBaseException(name + ": pipeline is the id of a route template in the routes directory, "
                    + "1-64 letters, digits, '.', '-' or '_', e.g. \"" + KnowledgeBase.DEFAULT_PIPELINE + "\"");
        }
        return new KnowledgeBase(name, List.copyOf(sources), new KnowledgeBase.Chunking(size, overlap, mode,
                parentSize), embedding,
                index, maxBytes, pipeline);
    }

    private static String string(Object o, String field) {
        if (o == null) {
            return null;
        }
        if (!(o instanceof String s)) {
            throw new KnowledgeBaseException(field + " must be a string");
        }
        return s;
    }

    private static int integer(Object o, int fallback, String name, String field) {
        if (o == null) {
            return fallback;
        }
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new KnowledgeBaseException(name + ": " + field + " must be a whole number, not " + o);
    }

    private static List<String> globs(Object o, String name, String field) {
        if (o == null) {
            return List.of();
        }
        List<?> raw = o instanceof List<?> l ? l : List.of(o);
        List<String> out = new ArrayList<>();
        for (Object g : raw) {
            if (!(g instanceof String s) || s.isBlank() || s.startsWith("/") || s.contains("..")) {
                throw new KnowledgeBaseException(name + ": " + field + " globs are workspace-relative strings such as "
                        + "\"kb/**\" or \"**/*.md\", not " + g);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }
}
