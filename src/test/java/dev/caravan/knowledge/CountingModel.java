package dev.caravan.knowledge;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/** The real bge model (loaded once per test JVM), counting the texts it is asked to embed. */
final class CountingModel implements EmbeddingModel {
    private static BgeSmallModel shared;

    final AtomicInteger texts = new AtomicInteger();
    /** When set, every text embedded is added here (the bench embeds the same texts again, raw). */
    volatile List<String> record;
    private final BgeSmallModel model;

    CountingModel() {
        this.model = shared();
    }

    static synchronized BgeSmallModel shared() {
        if (shared == null) {
            shared = new BgeSmallModel(ForkJoinPool.commonPool());
        }
        return shared;
    }

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public int dimension() {
        return model.dimension();
    }

    @Override
    public int maxTokens() {
        return model.maxTokens();
    }

    @Override
    public int countTokens(String text) {
        return model.countTokens(text);
    }

    @Override
    public List<float[]> embedAll(List<String> list) {
        texts.addAndGet(list.size());
        List<String> r = record;
        if (r != null) {
            r.addAll(list);
        }
        return model.embedAll(list);
    }

    @Override
    public float[] embedQuery(String query) {
        texts.incrementAndGet();
        return model.embedQuery(query);
    }
}
