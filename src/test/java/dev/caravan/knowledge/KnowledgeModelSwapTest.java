package dev.caravan.knowledge;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Changing a base's model, from the in-process bge to an OpenAI-compatible endpoint (a stub of OpenAI's API) and
 * back: the new model's index fills while search stays on the old model's vectors (query embedded by the old model,
 * hits among its chunks), a document that fails with the new model keeps the swap waiting without leaving search,
 * the swap comes once every document is in, and changing back costs no embedding (the cache is by model and chunk
 * hash). Embedding calls are counted on both models. On two nodes: the other node serves the old model until the
 * swap, then the new one, having embedded nothing but its queries.
 */
class KnowledgeModelSwapTest {
    static final String REMOTE = OpenAiStub.MODEL + "@" + OpenAiStub.DIMENSIONS;

    @TempDir
    Path data;

    static Map<String, Object> remote(OpenAiStub stub) {
        return Map.of("name", "kb", "sources", List.of(Map.of("workspace", "default", "include", List.of("kb/**"))),
                "embedding", Map.of("type", "openai", "model", OpenAiStub.MODEL, "baseUrl", stub.baseUrl(),
                        "apiKey", "${TEST_OPENAI_KEY}", "dimensions", OpenAiStub.DIMENSIONS, "batchSize", 8));
    }

    static void files(KnowledgeFixture fx) throws Exception {
        Files.createDirectories(fx.root.resolve("kb"));
        for (String f : List.of("expenses.md", "notes.txt", "onboarding.md")) {
            Files.writeString(fx.root.resolve("kb/" + f), Corpus.source(f));
        }
    }

    static List<SearchHit> search(KnowledgeService s, String query) {
        return s.search(query, "kb", 8, SearchFilters.NONE, LuceneIndex.Mode.HYBRID);
    }

    /** The models whose chunks the hits are (chunk ids are per model: the model is in the chunk hash). */
    static Set<String> models(KnowledgeFixture fx, List<SearchHit> hits) {
        return models(modelById(fx), hits);
    }

    static Set<String> models(Map<String, String> modelById, List<SearchHit> hits) {
        return hits.stream().map(h -> modelById.getOrDefault(h.chunkId(), "not in the database")).collect(
                Collectors.toSet());
    }

    static Map<String, String> modelById(KnowledgeFixture fx) {
        return fx.store.chunks("kb").stream().collect(Collectors.toMap(StoredChunk::chunkId, StoredChunk::model));
    }

    @Test
    void searchStaysOnTheOldModelUntilTheNewIndexIsCompleteThenSwaps() throws Exception {
        try (OpenAiStub stub = new OpenAiStub(); KnowledgeFixture fx = new KnowledgeFixture(data)) {
            fx.env.put("TEST_OPENAI_KEY", OpenAiStub.KEY);
            files(fx);
            fx.declareKb();
            fx.service.drain();
            assertThat(fx.service.counts("kb")).containsEntry("indexed", 3);
            KnowledgeViews views = new KnowledgeViews(fx.service, "");

            fx.service.declare(remote(stub));
            KnowledgeService.Base base = fx.service.base("kb").orElseThrow();
            assertThat(base.serving().model().id()).isEqualTo(BgeSmallModel.ID);
            assertThat(base.next().model().id()).isEqualTo(REMOTE);
            assertThat(views.status("kb", false).get(0).get("modelChange")).isEqualTo(Map.of("from",
                    BgeSmallModel.ID, "to", REMOTE, "documents", 3, "embedded", 0, "pending", 3));

            // During the change: the old model embeds the query and its chunks answer.
            int bge = fx.model.texts.get();
            List<SearchHit> hits = search(fx.service, "hotel limit in London");
            assertThat(hits.get(0).path()).isEqualTo("kb/expenses.md");
            assertThat(models(fx, hits)).containsExactly(BgeSmallModel.ID);
            assertThat(fx.model.texts.get()).isEqualTo(bge + 1);
            assertThat(stub.requests()).isZero();

            // The new model refuses one document: the others go into the new index, nothing is embedded with the
            // old model again (unchanged documents), and the refused one stays searchable with the old model.
            StubMapping refuse = stub.server.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(1)
                    .withRequestBody(containing("Bicycles")).willReturn(aResponse().withStatus(400).withBody("""
                            {"error":{"message":"Invalid 'input': the text could not be read.","type":\
                            "invalid_request_error","param":"input","code":null}}""")));
            fx.service.drain();
            assertThat(fx.model.texts.get()).as("nothing re-embedded with bge").isEqualTo(bge + 1);
            long remoteChunks = fx.store.chunks("kb").stream().filter(c -> c.model().equals(REMOTE)).count();
            assertThat(stub.texts.get()).as("the new model embedded the two documents' chunks").isEqualTo(
                    (int) remoteChunks).isPositive();
            DocumentState notes = fx.service.document("kb", "default", "kb/notes.txt").orElseThrow();
            assertThat(notes.status()).isEqualTo("failed");
            assertThat(notes.reason()).contains("400 invalid_request_error: Invalid 'input'");
            assertThat(fx.service.base("kb").orElseThrow().next()).as("the swap waits").isNotNull();
            Map<?, ?> change = (Map<?, ?>) views.status("kb", false).get(0).get("modelChange");
            assertThat(change.get("embedded")).isEqualTo(2);
            assertThat(change.get("failed")).isEqualTo(1);
            List<SearchHit> during = search(fx.service, "bicycle door code");
            assertThat(during).anyMatch(h -> h.path().equals("kb/notes.txt"));
            assertThat(models(fx, during)).containsExactly(BgeSmallModel.ID);

            // Retried once the endpoint accepts it: the last document goes in and search swaps to the new model.
            stub.server.removeStub(refuse);
            fx.service.reindex("kb", "kb/notes.txt");
            fx.service.drain();
            base = fx.service.base("kb").orElseThrow();
            assertThat(base.next()).isNull();
            assertThat(base.serving().model().id()).isEqualTo(REMOTE);
            assertThat(views.status("kb", false).get(0)).doesNotContainKey("modelChange")
                    .containsEntry("embeddingModel", REMOTE);
            bge = fx.model.texts.get();
            int queries = stub.requests();
            List<SearchHit> after = search(fx.service, "hotel limit in London");
            assertThat(after.get(0).path()).isEqualTo("kb/expenses.md");
            assertThat(models(fx, after)).containsExactly(REMOTE);
            assertThat(stub.requests()).as("the new model embedded the query").isEqualTo(queries + 1);
            assertThat(fx.model.texts.get()).isEqualTo(bge);
            assertThat(fx.store.chunks("kb")).allMatch(c -> c.model().equals(REMOTE));
            // A worker that had not seen the swap cannot write the old model's chunks back.
            StoredChunk late = new StoredChunk("c1", "default", "kb/notes.txt", 0, "h".repeat(64), BgeSmallModel.ID,
                    0, null, 0, 4, "text", null);
            assertThatThrownBy(() -> fx.store.replaceChunks("kb", "default", "kb/notes.txt", null, "text/plain",
                    BgeSmallModel.ID, List.of(late))).isInstanceOf(KnowledgeStore.StaleGeneration.class);
            assertThat(data.resolve("knowledge/kb")).as("the old model's index is deleted").doesNotExist();
            assertThat(fx.service.counts("kb")).isEqualTo(Map.of("indexed", 3));

            // Back to bge: its vectors are still in the cache, so the swap back embeds nothing.
            int remoteTexts = stub.texts.get();
            fx.declareKb();
            assertThat(fx.service.base("kb").orElseThrow().next().model().id()).isEqualTo(BgeSmallModel.ID);
            fx.service.drain();
            assertThat(fx.service.base("kb").orElseThrow().serving().model().id()).isEqualTo(BgeSmallModel.ID);
            assertThat(fx.model.texts.get()).isEqualTo(bge);
            assertThat(stub.texts.get()).isEqualTo(remoteTexts);
            assertThat(models(fx, search(fx.service, "probation period"))).containsExactly(BgeSmallModel.ID);
        }
    }

    @Test
    void anotherNodeServesTheOldModelUntilTheSwapThenTheNewOneWithoutEmbedding() throws Exception {
        try (OpenAiStub stub = new OpenAiStub(); KnowledgeFixture fx = new KnowledgeFixture(data,
                TestDatabases.postgres())) {
            fx.env.put("TEST_OPENAI_KEY", OpenAiStub.KEY);
            files(fx);
            KnowledgeService a = fx.declareKb();
            a.drain();
            CountingModel bModel = new CountingModel();
            try (KnowledgeService b = fx.node("b", bModel)) {
                b.loadStored();
                a.declare(remote(stub));
                b.loadStored(); // the new declaration: B opens the new model's index beside the old one
                assertThat(b.base("kb").orElseThrow().next().model().id()).isEqualTo(REMOTE);
                assertThat(search(b, "hotel limit in London").get(0).path()).isEqualTo("kb/expenses.md");
                assertThat(bModel.texts.get()).isEqualTo(1);
                Map<String, String> bgeChunks = modelById(fx);

                a.drain(); // A embeds every document with the new model and swaps
                assertThat(a.base("kb").orElseThrow().serving().model().id()).isEqualTo(REMOTE);
                int remoteTexts = stub.texts.get();
                List<SearchHit> notYet = search(b, "probation period");
                assertThat(notYet.get(0).path()).isEqualTo("kb/onboarding.md");
                assertThat(models(bgeChunks, notYet)).as("B has not followed yet: still bge, from its own index")
                        .containsExactly(BgeSmallModel.ID);
                assertThat(bModel.texts.get()).isEqualTo(2);

                b.follow();
                KnowledgeService.Base onB = b.base("kb").orElseThrow();
                assertThat(onB.serving().model().id()).isEqualTo(REMOTE);
                assertThat(onB.next()).isNull();
                assertThat(onB.index().size()).isEqualTo(a.base("kb").orElseThrow().index().size()).isPositive();
                List<SearchHit> hits = search(b, "hotel limit in London");
                assertThat(hits.get(0).path()).isEqualTo("kb/expenses.md");
                assertThat(models(fx, hits)).containsExactly(REMOTE);
                assertThat(stub.texts.get()).as("B embedded only its query").isEqualTo(remoteTexts + 1);
                assertThat(bModel.texts.get()).isEqualTo(2);
            }
        }
    }
}
