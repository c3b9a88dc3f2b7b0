package dev.caravan.knowledge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The models a declaration may name: the in-process default, and an OpenAI-compatible endpoint per distinct
 * {@link EmbeddingSpec} (made on first use, shared by the bases that declare the same one). Making one contacts
 * nothing: the endpoint is called when there is something to embed.
 */
public final class EmbeddingModels {
    private final EmbeddingModel inProcess;
    private final Function<String, String> environment;
    private final Map<EmbeddingSpec, EmbeddingModel> remote = new ConcurrentHashMap<>();

    /** {@code environment} resolves the {@code ${ENV}} reference of an API key, at each request. */
    public EmbeddingModels(EmbeddingModel inProcess, Function<String, String> environment) {
        this.inProcess = inProcess;
        this.environment = environment;
    }

    public EmbeddingModel inProcess() {
        return inProcess;
    }

    public EmbeddingModel model(EmbeddingSpec spec) {
        if (!spec.remote()) {
            if (!spec.model().equals(inProcess.id())) {
                throw new KnowledgeBaseException("embedding model '" + spec.model() + "' is not available in process; "
                        + "this build has \"" + inProcess.id() + "\", or declare {\"type\": \"openai\", ...} for an "
                        + "OpenAI-compatible endpoint");
            }
            return inProcess;
        }
        return remote.computeIfAbsent(spec, s -> new OpenAiEmbeddingModel(s, environment));
    }
}
