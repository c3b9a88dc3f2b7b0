package dev.caravan.knowledge;

import java.util.List;
import java.util.function.Supplier;

/**
 * Loads the model on first use: a hub without knowledge bases never pays its memory (about 100 MB) or the seconds
 * it takes to load. The id, dimension and window are bge-small's constants, known without loading it.
 */
final class LazyModel implements EmbeddingModel {
    private final Supplier<EmbeddingModel> factory;
    private volatile EmbeddingModel model;
    private final java.util.concurrent.atomic.AtomicLong embedded = new java.util.concurrent.atomic.AtomicLong();

    LazyModel(Supplier<EmbeddingModel> factory) {
        this.factory = factory;
    }

    private EmbeddingModel model() {
        EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    model = factory.get();
                }
                m = model;
            }
        }
        return m;
    }

    @Override
    public String id() {
        return BgeSmallModel.ID;
    }

    @Override
    public int dimension() {
        return BgeSmallModel.DIMENSION;
    }

    @Override
    public int maxTokens() {
        return BgeSmallModel.MAX_TOKENS;
    }

    @Override
    public int countTokens(String text) {
        return model().countTokens(text);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        embedded.addAndGet(texts.size());
        return model().embedAll(texts);
    }

    @Override
    public float[] embedQuery(String query) {
        embedded.incrementAndGet();
        return model().embedQuery(query);
    }

    /** Texts embedded since start (queries included). */
    long embedded() {
        return embedded.get();
    }

    boolean loaded() {
        return model != null;
    }
}
