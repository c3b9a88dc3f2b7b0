package dev.caravan.knowledge;

import org.springframework.boot.convert.DurationStyle;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A base's {@code embedding:} as declared: the in-process model (the default), or an OpenAI-compatible endpoint
 * ({@code type: openai}) with its base URL, model, API key as a {@code ${ENV}} reference (never the key itself, so
 * that no secret is stored in the database or shown in status), the vector length, batch size, the model's input
 * window, the request timeout and how long a rate-limited request is retried.
 */
public record EmbeddingSpec(String type, String model, String baseUrl, String apiKey, int dimensions,
                            boolean sendDimensions, int batchSize, int maxInputTokens, Duration timeout,
                            Duration retryDeadline) {
    public static final String IN_PROCESS = "in-process";
    public static final String OPENAI = "openai";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    private static final Set<String> OPENAI_KEYS = Set.of("type", "model", "baseUrl", "apiKey", "dimensions",
            "sendDimensions", "batchSize", "maxInputTokens", "timeout", "retryDeadline");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_.-]*}");

    public static EmbeddingSpec inProcess(String model) {
        return new EmbeddingSpec(IN_PROCESS, model, null, null, 0, false, 0, 0, null, null);
    }

    public boolean remote() {
        return OPENAI.equals(type);
    }

    /**
     * Stamped on every vector and chunk: the model name, and for a remote model its vector length (the same model
     * shortened to other dimensions gives other vectors). The endpoint is not part of it: the same model behind
     * another address (a proxy, another region) gives the same vectors.
     */
    public String id() {
        return remote() ? model + "@" + dimensions : model;
    }

    /** The declaration's shape (what status shows and the database keeps): the key stays a reference. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("model", model);
        if (remote()) {
            m.put("baseUrl", baseUrl);
            if (apiKey != null) {
                m.put("apiKey", apiKey);
            }
            m.put("dimensions", dimensions);
            m.put("sendDimensions", sendDimensions);
            m.put("batchSize", batchSize);
            m.put("maxInputTokens", maxInputTokens);
            m.put("timeout", timeout.toSeconds() + "s");
            m.put("retryDeadline", retryDeadline.toSeconds() + "s");
        }
        return m;
    }

    /** Reads {@code embedding:} (a model name, or a mapping); {@code fallback} is the in-process model's id. */
    static EmbeddingSpec parse(Object raw, String base, String fallback) {
        if (raw == null) {
            return inProcess(fallback);
        }
        if (raw instanceof String s) {
            return inProcess(s);
        }
        if (!(raw instanceof Map<?, ?> e)) {
            throw new KnowledgeBaseException(base + ": embedding must be a mapping such as {\"model\": \"" + fallback
                    + "\"} or {\"type\": \"openai\", \"model\": \"text-embedding-3-small\", \"dimensions\": 1536, "
                    + "\"apiKey\": \"${OPENAI_API_KEY}\"}");
        }
        String type = text(e, "type", base);
        if (type == null || type.equals(IN_PROCESS)) {
            for (Object key : e.keySet()) {
                if (!Set.of("type", "model").contains(String.valueOf(key))) {
                    throw new KnowledgeBaseException(base + ": embedding." + key + " needs \"type\": \"openai\" "
                            + "(the in-process model takes only model)");
                }
            }
            String model = text(e, "model", base);
            return inProcess(model == null ? fallback : model);
        }
        if (!type.equals(OPENAI)) {
            throw new KnowledgeBaseException(base + ": embedding.type is \"in-process\" or \"openai\" (any "
                    + "OpenAI-compatible POST /v1/embeddings endpoint), not " + type);
        }
        for (Object key : e.keySet()) {
            if (!OPENAI_KEYS.contains(String.valueOf(key))) {
                throw new KnowledgeBaseException(base + ": unknown embedding field '" + key + "' (known: "
                        + String.join(", ", OPENAI_KEYS.stream().sorted().toList()) + ")");
            }
        }
        String model = text(e, "model", base);
        if (model == null || model.isBlank() || model.length() > 100) {
            throw new KnowledgeBaseException(base + ": embedding.model names the endpoint's model, e.g. "
                    + "\"text-embedding-3-small\"");
        }
        String baseUrl = text(e, "baseUrl", base);
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl.replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(baseUrl);
        } catch (IllegalArgumentException bad) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !(baseUrl.startsWith("https://") || baseUrl.startsWith("http://"))) {
            throw new KnowledgeBaseException(base + ": embedding.baseUrl is the API's base address, e.g. \""
                    + DEFAULT_BASE_URL + "\" (requests go to BASE_URL/embeddings)");
        }
        String apiKey = text(e, "apiKey", base);
        if (apiKey != null && !REFERENCE.matcher(apiKey).matches()) {
            throw new KnowledgeBaseException(base + ": embedding.apiKey must be a reference to an environment "
                    + "variable such as \"${OPENAI_API_KEY}\", not the key itself (declarations are stored and shown)");
        }
        int dimensions = number(e, "dimensions", 0, base);
        if (dimensions < 1 || dimensions > 4096) {
            throw new KnowledgeBaseException(base + ": embedding.dimensions is the length of the model's vectors, "
                    + "1 to 4096 (Lucene's limit), e.g. 1536 for text-embedding-3-small");
        }
        boolean sendDimensions = !Boolean.FALSE.equals(e.get("sendDimensions"));
        int batchSize = number(e, "batchSize", 64, base);
        if (batchSize < 1 || batchSize > 2048) {
            throw new KnowledgeBaseException(base + ": embedding.batchSize is 1 to 2048 texts per request");
        }
        int maxInputTokens = number(e, "maxInputTokens", 8191, base);
        if (maxInputTokens < 32 || maxInputTokens > 1_000_000) {
            throw new KnowledgeBaseException(base + ": embedding.maxInputTokens is the model's input window in "
                    + "tokens, at least 32 (8191 for OpenAI's models, often 512 for local ones)");
        }
        Duration timeout = duration(e, "timeout", Duration.ofSeconds(30), base);
        Duration retryDeadline = duration(e, "retryDeadline", Duration.ofSeconds(60), base);
        return new EmbeddingSpec(OPENAI, model, baseUrl, apiKey, dimensions, sendDimensions, batchSize,
                maxInputTokens, timeout, retryDeadline);
    }

    private static String text(Map<?, ?> m, String key, String base) {
        Object o = m.get(key);
        if (o == null) {
            return null;
        }
        if (!(o instanceof String s)) {
            throw new KnowledgeBaseException(base + ": embedding." + key + " must be a string");
        }
        return s;
    }

    private static int number(Map<?, ?> m, String key, int fallback, String base) {
        Object o = m.get(key);
        if (o == null) {
            return fallback;
        }
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new KnowledgeBaseException(base + ": embedding." + key + " must be a whole number, not " + o);
    }

    private static Duration duration(Map<?, ?> m, String key, Duration fallback, String base) {
        Object o = m.get(key);
        Duration d;
        try {
            d = o == null ? fallback : o instanceof Number n ? Duration.ofSeconds(n.longValue())
                    : DurationStyle.detectAndParse(String.valueOf(o));
        } catch (IllegalArgumentException bad) {
            d = null;
        }
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new KnowledgeBaseException(base + ": embedding." + key + " is a duration such as \"30s\" or "
                    + "\"2m\" (at most 1h), not " + o);
        }
        return d;
    }
}
