package dev.caravan.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.EnvReferences;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An OpenAI-compatible embeddings endpoint: {@code POST BASE_URL/embeddings} with {@code model}, an {@code input}
 * array and {@code encoding_format: float}, answered with {@code data[].embedding} by {@code data[].index}.
 * Hand-written on the JDK's HTTP client rather than LangChain4j's OpenAI module: that module is not served here at
 * the version of our langchain4j-bom, and its retry neither reads {@code Retry-After} nor keeps to a deadline, which is
 * what a rate-limited ingestion needs. Texts go in batches of {@code batchSize} on the ingestion worker's thread (the
 * bounded pool); 429 and 5xx answers are retried, waiting as {@code Retry-After} asks (else backing off), until
 * {@code retryDeadline}; then the call fails with a reason the document's status shows. No message carries the key.
 */
final class OpenAiEmbeddingModel implements EmbeddingModel {
    /**
     * OpenAI allows 300,000 tokens summed over one request's inputs; our counts over-estimate, so a batch whose counted
     * tokens stay below this is below the real limit too.
     */
    static final int REQUEST_TOKENS = 250_000;
    /** A search waits at most this long for a rate-limited query embedding (a person or an agent is waiting). */
    private static final Duration QUERY_DEADLINE = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Waits between attempts; tests may count instead of sleeping. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final EmbeddingSpec spec;
    private final Function<String, String> environment;
    private final HttpClient http;
    private final Clock clock;
    private final Sleeper sleeper;
    private final URI endpoint;

    OpenAiEmbeddingModel(EmbeddingSpec spec, Function<String, String> environment) {
        this(spec, environment, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    OpenAiEmbeddingModel(EmbeddingSpec spec, Function<String, String> environment, Clock clock, Sleeper sleeper) {
        this.spec = spec;
        this.environment = environment;
        this.clock = clock;
        this.sleeper = sleeper;
        this.endpoint = URI.create(spec.baseUrl() + "/embeddings");
        this.http = HttpClient.newBuilder().connectTimeout(spec.timeout()).build();
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public int dimension() {
        return spec.dimensions();
    }

    @Override
    public int maxTokens() {
        return spec.maxInputTokens();
    }

    /**
     * We do not have a remote model's tokenizer, so we count what can never be fewer than its tokens: the text's
     * UTF-8 bytes, plus 2 for the special tokens some models add (BERT's [CLS] and [SEP]). Byte-level BPE (OpenAI's
     * cl100k and o200k), WordPiece and SentencePiece with byte fallback all make every token of at least one byte, so
     * a chunk within this count fits the window. It over-counts English about fourfold: chunk sizes for a remote
     * model are in these units (a 4,000-token chunk holds about 1,000 real tokens).
     */
    @Override
    public int countTokens(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes + 2;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        int from = 0;
        while (from < texts.size()) {
            int to = from;
            long tokens = 0;
            while (to < texts.size() && to - from < spec.batchSize()
                    && (to == from || tokens + countTokens(texts.get(to)) <= REQUEST_TOKENS)) {
                tokens += countTokens(texts.get(to));
                to++;
            }
            out.addAll(post(texts.subList(from, to), clock.instant().plus(spec.retryDeadline())));
            from = to;
        }
        return out;
    }

    @Override
    public float[] embedQuery(String query) {
        Duration d = spec.retryDeadline().compareTo(QUERY_DEADLINE) < 0 ? spec.retryDeadline() : QUERY_DEADLINE;
        return post(List.of(query), clock.instant().plus(d)).get(0);
    }

    private List<float[]> post(List<String> texts, Instant deadline) {
        String key;
        try {
            key = spec.apiKey() == null ? null : EnvReferences.resolve(spec.apiKey(), environment, v -> { });
        } catch (EnvReferences.MissingVariable e) {
            throw new EmbeddingException("embedding.apiKey: " + e.getMessage() + " on this node");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("model", spec.model());
        ArrayNode input = body.putArray("input");
        texts.forEach(input::add);
        body.put("encoding_format", "float");
        if (spec.sendDimensions()) {
            body.put("dimensions", spec.dimensions());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(spec.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        Duration backoff = Duration.ofSeconds(1);
        String last;
        while (true) {
            Duration wait;
            try {
                HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return vectors(r.body(), texts.size());
                }
                Error e = Error.of(r.body(), key);
                if (!retriable(r.statusCode())) {
                    throw new EmbeddingException(refusal(r.statusCode(), e));
                }
                last = r.statusCode() + (r.statusCode() == 429 ? " rate limited" : " unavailable") + e.summary();
                wait = retryAfter(r.headers().firstValue("Retry-After").orElse(null));
            } catch (IOException io) {
                last = "could not reach it (" + io.getClass().getSimpleName() + ")";
                wait = null;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new EmbeddingException("interrupted while calling the embeddings endpoint (shutting down)");
            }
            if (wait == null) {
                wait = backoff;
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
            Instant now = clock.instant();
            if (now.plus(wait).isAfter(deadline)) {
                throw new EmbeddingException("the embeddings endpoint " + endpoint.getHost() + " answered " + last
                        + (wait.isZero() ? "" : " and asked to wait " + wait.toSeconds() + "s")
                        + ", past the retry deadline (embedding.retryDeadline, " + spec.retryDeadline().toSeconds()
                        + "s); reindex to try again");
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new EmbeddingException("interrupted while waiting to retry the embeddings endpoint");
            }
        }
    }

    private static boolean retriable(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private String refusal(int status, Error e) {
        String what = "the embeddings endpoint " + endpoint.getHost() + " refused the request (" + status;
        return switch (status) {
            // The server's own text for a bad key quotes part of it: not repeated here.
            case 401, 403 -> what + (e.type == null ? "" : " " + e.type) + (e.code == null ? "" : " " + e.code)
                    + "): check the key in " + (spec.apiKey() == null ? "embedding.apiKey (none is set)"
                    : "the variable " + spec.apiKey() + " and that it may use model " + spec.model());
            case 404 -> what + e.summary() + "): check embedding.model (" + spec.model() + ") and embedding.baseUrl ("
                    + spec.baseUrl() + ")";
            case 400 -> what + e.summary() + ")" + (e.message != null && e.message.contains("dimension")
                    ? "; if the model has fixed dimensions, set embedding.sendDimensions: false" : "");
            default -> what + e.summary() + ")";
        };
    }

    /** Seconds, or an HTTP date (RFC 9110); null when absent or unreadable. */
    Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(clock.instant(), ZonedDateTime.parse(header.strip(),
                        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private List<float[]> vectors(String body, int expected) {
        JsonNode data;
        try {
            data = JSON.readTree(body).path("data");
        } catch (IOException e) {
            throw new EmbeddingException("the embeddings endpoint " + endpoint.getHost() + " answered 200 with a body "
                    + "that is not JSON");
        }
        if (!data.isArray() || data.size() != expected) {
            throw new EmbeddingException("the embeddings endpoint " + endpoint.getHost() + " answered "
                    + (data.isArray() ? data.size() : 0) + " embeddings for " + expected + " inputs");
        }
        float[][] out = new float[expected][];
        for (JsonNode item : data) {
            int index = item.path("index").asInt(-1);
            JsonNode embedding = item.path("embedding");
            if (index < 0 || index >= expected || out[index] != null || !embedding.isArray()) {
                throw new EmbeddingException("the embeddings endpoint " + endpoint.getHost() + " answered an "
                        + "embedding without a valid index (or not as a float array: encoding_format float)");
            }
            if (embedding.size() != spec.dimensions()) {
                throw new EmbeddingException("the model " + spec.model() + " answered vectors of " + embedding.size()
                        + " dimensions, not " + spec.dimensions() + ": set embedding.dimensions to " + embedding.size());
            }
            float[] v = new float[embedding.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) embedding.get(i).asDouble();
            }
            out[index] = normalise(v);
        }
        return List.of(out);
    }

    /** The index compares by dot product, which needs unit vectors; not every compatible server normalises. */
    private static float[] normalise(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += f * f;
        }
        if (sum == 0) {
            return v;
        }
        float scale = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }

    /** OpenAI's error body {@code {"error": {"message", "type", "code"}}}, with the key (if echoed) cut out. */
    private record Error(String message, String type, String code) {
        static Error of(String body, String key) {
            try {
                JsonNode e = JSON.readTree(body == null ? "" : body).path("error");
                String message = e.path("message").isTextual() ? e.path("message").asText() : null;
                if (message != null && key != null && key.length() >= 4) {
                    message = message.replace(key, "***");
                }
                if (message != null && message.length() > 300) {
                    message = message.substring(0, 297) + "...";
                }
                return new Error(message, e.path("type").isTextual() ? e.path("type").asText() : null,
                        e.path("code").isTextual() ? e.path("code").asText() : null);
            } catch (IOException notJson) {
                return new Error(null, null, null);
            }
        }

        String summary() {
            String kind = type != null ? type : code;
            return (kind == null ? "" : " " + kind) + (message == null ? "" : ": " + message);
        }
    }
}
