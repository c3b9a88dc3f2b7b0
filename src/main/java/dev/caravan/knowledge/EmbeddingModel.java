package dev.caravan.knowledge;

import java.util.List;

/**
 * The seam for an embedding model: in process ({@link BgeSmallModel}) or an OpenAI-compatible endpoint
 * ({@link OpenAiEmbeddingModel}). {@link #id()} is stamped on every vector and chunk, so that a base never mixes
 * models in one index and a model change re-embeds into a new one.
 */
public interface EmbeddingModel {
    /** Identifies the model and its version, e.g. {@code bge-small-en-v1.5-q}. */
    String id();

    int dimension();

    /** The model's input window in tokens, special tokens included. */
    int maxTokens();

    /**
     * Tokens the model sees for this text, special tokens included: the model's own tokenizer, or (a remote model,
     * whose tokenizer we do not have) a count that is never below the model's.
     */
    int countTokens(String text);

    /** One vector per text, in order, unit length. */
    List<float[]> embedAll(List<String> texts);

    /** The vector of a search query (a model may want an instruction before it; bge does). */
    default float[] embedQuery(String query) {
        return embedAll(List.of(query)).get(0);
    }
}
