package dev.caravan.knowledge;

import java.util.List;

/**
 * One document on its way through the pipeline (the body of the ingestion route's exchange between steps): each
 * step fills its part. A step added by a user may change {@link #text} (redact, clean) before chunking.
 */
public final class IngestJob {
    final String base;
    final String workspace;
    final String path;
    final DocumentState previous;
    final String owner;
    byte[] content;
    String contentHash;
    String etag;
    Extracted extracted;
    String text;
    /**
     * What each generation (model) of the base whose chunks are out of date gets from this document, newest first:
     * during a model change the target, and the serving one too when the document itself changed.
     */
    List<Output> outputs;
    int embedded;

    /** One generation's chunks and vectors of this document. */
    static final class Output {
        final KnowledgeService.Generation generation;
        List<Chunk> chunks;
        /** Parent-child mode: each chunk's parent passage, in the order of {@link #chunks}; else null. */
        List<String> contexts;
        List<float[]> vectors;

        Output(KnowledgeService.Generation generation) {
            this.generation = generation;
        }
    }

    IngestJob(String base, String workspace, String path, DocumentState previous, String owner) {
        this.base = base;
        this.workspace = workspace;
        this.path = path;
        this.previous = previous;
        this.owner = owner;
    }

    public String base() {
        return base;
    }

    public String workspace() {
        return workspace;
    }

    public String path() {
        return path;
    }

    /** The extracted text (after extract); a step may replace it with {@link #setText}. */
    public String text() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    /** The chunks of the newest generation this run writes (after chunk). */
    public List<Chunk> chunks() {
        return outputs == null || outputs.isEmpty() ? null : outputs.get(0).chunks;
    }

    /** Texts the model actually embedded for this document (the rest came from the cache). */
    public int embedded() {
        return embedded;
    }
}
