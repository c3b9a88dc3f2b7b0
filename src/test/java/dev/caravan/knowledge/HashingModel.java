package dev.caravan.knowledge;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * For the bench's heap figure only: bge-small's real tokenizer (so chunking is the real one) but vectors drawn from
 * the text's hash instead of the network, so that hundreds of megabytes go through extraction, chunking, the store
 * and the index in minutes rather than hours on two cores. Unit length, deterministic.
 */
final class HashingModel implements EmbeddingModel {
    private final BgeSmallModel tokenizer = CountingModel.shared();

    @Override
    public String id() {
        return "hashing-bench";
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
        return tokenizer.countTokens(text);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return texts.stream().map(HashingModel::vector).toList();
    }

    private static float[] vector(String text) {
        SplittableRandom r = new SplittableRandom(java.util.Arrays.hashCode(text.getBytes(StandardCharsets.UTF_8)));
        float[] v = new float[BgeSmallModel.DIMENSION];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() - 0.5);
            norm += v[i] * v[i];
        }
        float n = (float) Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) {
            v[i] /= n;
        }
        return v;
    }
}
