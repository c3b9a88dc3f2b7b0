package dev.caravan.knowledge;

/** A declaration that cannot be used; the message says which field and what to write instead. */
public class KnowledgeBaseException extends RuntimeException {
    public KnowledgeBaseException(String message) {
        super(message);
    }
}
