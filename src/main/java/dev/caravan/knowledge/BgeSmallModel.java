package dev.caravan.knowledge;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * BAAI bge-small-en-v1.5, quantised, in process (ONNX, model inside its jar: no server, no download). Token counts
 * come from the tokenizer shipped in the same jar, with [CLS]/[SEP] included, so a chunk that fits here fits the
 * model's 512-token window (beyond it the model would quietly cut the text).
 */
public final class BgeSmallModel implements EmbeddingModel {
    public static final String ID = "bge-small-en-v1.5-q";
    public static final int DIMENSION = 384;
    /** The model's input window in tokens, [CLS] and [SEP] included. */
    public static final int MAX_TOKENS = 512;
    /** bge's instruction for short retrieval queries (passages are embedded without it). */
    static final String QUERY_PREFIX = "Represent this sentence for searching relevant passages: ";
    private static final String TOKENIZER = "/bge-small-en-v1.5-q-tokenizer.json";
    private static final String WEIGHTS = "/bge-small-en-v1.5-q.onnx";

    private final AbstractInProcessEmbeddingModel model;
    private final HuggingFaceTokenizer tokenizer;

    public BgeSmallModel(Executor executor) {
        this.model = new Session(executor);
        try (InputStream in = BgeSmallEnV15QuantizedEmbeddingModel.class.getResourceAsStream(TOKENIZER)) {
            if (in == null) {
                throw new IllegalStateException("The bge-small tokenizer is missing from its jar");
            }
            // No truncation: we want the true count, to refuse (split) what would not fit.
            this.tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("truncation", "false", "padding", "false",
                    "modelMaxLength", "1000000"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public int maxTokens() {
        return MAX_TOKENS;
    }

    @Override
    public int countTokens(String text) {
        return tokenizer.encode(text, true, false).getIds().length;
    }

    /**
     * The same weights, tokenizer and CLS pooling as langchain4j's {@link BgeSmallEnV15QuantizedEmbeddingModel}, on an
     * ONNX Runtime session of our own: its default session spins its intra-op threads between operators, which on a
     * busy machine (the hub's other work, other processes) makes a short query's embedding several times slower;
     * without spinning the threads sleep when idle. A query runs on the caller's thread with up to two intra-op
     * threads; a batch's texts run in parallel on the executor.
     */
    private static final class Session extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        Session(Executor executor) {
            super(executor);
            try (InputStream weights = resource(WEIGHTS); InputStream tokens = resource(TOKENIZER)) {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                options.setIntraOpNumThreads(Math.min(2, Runtime.getRuntime().availableProcessors()));
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                this.encoder = new OnnxBertBiEncoder(env, env.createSession(weights.readAllBytes(), options), tokens,
                        PoolingMode.CLS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (OrtException e) {
                throw new IllegalStateException("The bge-small model cannot be loaded: " + e.getMessage(), e);
            }
        }

        private static InputStream resource(String name) {
            InputStream in = BgeSmallEnV15QuantizedEmbeddingModel.class.getResourceAsStream(name);
            if (in == null) {
                throw new IllegalStateException("The bge-small model's " + name + " is missing from its jar");
            }
            return in;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return DIMENSION;
        }
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<Embedding> out = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
        return out.stream().map(Embedding::vector).toList();
    }

    @Override
    public float[] embedQuery(String query) {
        return embedAll(List.of(QUERY_PREFIX + query)).get(0);
    }
}
