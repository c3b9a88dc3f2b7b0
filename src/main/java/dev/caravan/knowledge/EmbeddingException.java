package dev.caravan.knowledge;

/** An embedding model could not give vectors; the message is safe to show (no key) and says what to do. */
public final class EmbeddingException extends RuntimeException {
    EmbeddingException(String message) {
        super(message, null, false, false);
    }
}
