package dev.caravan.knowledge;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A knowledge base as declared (in {@code connectors/knowledge.yaml} or through {@code POST /admin/api/knowledge},
 * the same shape): which workspace files it holds, how they are chunked and embedded, its index, and the route
 * template its documents go through ({@code pipeline}, instantiated once for this base).
 */
public record KnowledgeBase(String name, List<Source> sources, Chunking chunking, EmbeddingSpec embedding,
                            String index, long maxFileBytes, String pipeline) {
    /** The template shipped in routes/knowledge/ingest.yaml. */
    public static final String DEFAULT_PIPELINE = "knowledge-ingest";

    /** Files of one workspace: those matching an include glob and no exclude glob (workspace-relative paths). */
    public record Source(String workspace, List<String> include, List<String> exclude) {
        public boolean matches(String workspace, String path) {
            return this.workspace.equals(workspace) && include.stream().anyMatch(g -> glob(g).matcher(path).matches())
                    && exclude.stream().noneMatch(g -> glob(g).matcher(path).matches());
        }
    }

    /**
     * Sizes in the embedding model's tokens. {@code mode} is {@value #RECURSIVE} (chunks of {@code size} are matched and
     * returned) or {@value #PARENT_CHILD}: chunks of {@code size} are matched, and the larger passage of up to
     * {@code parentSize} tokens around each is returned ({@code parentSize} is 0 in the recursive mode).
     */
    public record Chunking(int size, int overlap, String mode, int parentSize) {
        public static final String RECURSIVE = "recursive";
        public static final String PARENT_CHILD = "parent-child";

        public boolean parentChild() {
            return PARENT_CHILD.equals(mode);
        }
    }

    /** The id stamped on the base's vectors. */
    public String embeddingModel() {
        return embedding.id();
    }

    public boolean covers(String workspace, String path) {
        return sources.stream().anyMatch(s -> s.matches(workspace, path));
    }

    /** {@code **} any run of characters, {@code **}{@code /} any directories (none included), {@code *} and
     *  {@code ?} within one path segment. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                if (i + 2 < glob.length() && glob.charAt(i + 2) == '/') {
                    re.append("(?:.*/)?");
                    i += 2;
                } else {
                    re.append(".*");
                    i++;
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
