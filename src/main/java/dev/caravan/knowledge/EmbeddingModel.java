package dev.caravan.knowledge;

import java.util.List;

/**
 * The seam for an embedding model: in-process bge-small today; an OpenAI-compatible remote model is a later
 * implementation. {@link #id()} is stamped on every vector so that a model swap can find what to re-embed.
 */
public interface EmbeddingModel {
    /** Identifies the model and its version, e.g. {@code bge-small-en-v1.5-q}. */
    String id();

    int dimension();

    /** The model's input window in tokens, special tokens included. */
    int maxTokens();

    /** Tokens the model sees for this text, special tokens included (the model's own tokenizer). */
    int countTokens(String text);

    /** One vector per text, in order, unit length. */
    List<float[]> embedAll(List<String> texts);
}
