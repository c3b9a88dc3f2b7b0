package dev.caravan.knowledge;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parent-child chunking on the evaluation corpus: small chunks are matched, the passage around each is returned
 * (once per parent), retrieval keeps the floor of the plain mode, and a node that builds its index from the
 * database returns the same parents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParentChildChunkingTest {
    @TempDir
    static Path data;
    KnowledgeFixture fx;

    @BeforeAll
    void ingest() throws Exception {
        fx = new KnowledgeFixture(data);
        Corpus.write(fx.root.resolve("kb"));
        // One long section: the corpus's sections are each smaller than a small chunk, so parent and child agree.
        StringBuilder handbook = new StringBuilder("# Site handbook\n\n");
        for (int i = 0; i < 30; i++) {
            handbook.append(i == 17 ? "The emergency assembly point is the north car park beside the red gate. "
                    : "Rule " + i + " of the site says that visitors sign in at desk " + i + " and wear badge " + i
                    + ". ").append("Staff remind visitors of this rule politely.\n\n");
        }
        java.nio.file.Files.writeString(fx.root.resolve("kb/handbook.md"), handbook);
        fx.service.declare(Map.of("name", "pc", "sources", List.of(Map.of("workspace", "default",
                "include", List.of("kb/**"))), "chunking", Map.of("mode", "parent-child", "size", 64,
                "parentSize", 384)));
        fx.service.drain();
    }

    @AfterAll
    void close() {
        fx.close();
    }

    List<SearchHit> search(KnowledgeService node, String q) {
        return node.search(q, "pc", 8, SearchFilters.NONE, LuceneIndex.Mode.HYBRID);
    }

    @Test
    void smallChunksAreMatchedAndTheirParentsReturnedOnce() {
        List<SearchHit> hits = search(fx.service, "where is the emergency assembly point");
        assertThat(hits).isNotEmpty();
        SearchHit top = hits.get(0);
        assertThat(top.path()).isEqualTo("kb/handbook.md");
        assertThat(top.matched()).contains("emergency assembly point");
        assertThat(top.text()).as("the parent is the larger passage around it").contains(top.matched().strip())
                .contains("Rule 16").contains("Rule 18");
        assertThat(top.text().length()).isGreaterThan(2 * top.matched().length());
        Set<String> parents = new HashSet<>();
        for (SearchHit h : hits) {
            assertThat(h.matched()).as("the matched chunk").isNotNull();
            assertThat(h.text()).as("the parent holds the chunk that matched").contains(h.matched().strip());
            assertThat(parents.add(h.path() + "\u0000" + h.text())).as("each parent once").isTrue();
        }
        int chunks = fx.service.document("pc", "default", "kb/handbook.md").orElseThrow().chunkCount();
        assertThat(fx.store.chunks("pc", "default", "kb/handbook.md").stream().map(StoredChunk::context)
                .distinct().count()).as("fewer parents than chunks").isLessThan(chunks).isGreaterThan(1);
    }

    @Test
    void retrievalKeepsTheFloorAndChunksStillCoverTheText() throws Exception {
        RetrievalEvaluation.Scores s = RetrievalEvaluation.run(fx.service, "pc", Corpus.questions(),
                LuceneIndex.Mode.HYBRID);
        System.out.println("parent-child hybrid " + s + " misses: " + s.misses());
        assertThat(s.recallAt5()).isGreaterThanOrEqualTo(KnowledgeRetrievalTest.HYBRID_RECALL_AT_5_FLOOR);
        for (DocumentState d : fx.service.documents("pc")) {
            assertThat(d.chunkedChars()).as(d.path()).isEqualTo(d.extractedChars());
        }
    }

    @Test
    void aNodeBuildingFromTheDatabaseReturnsTheSameParents() {
        try (KnowledgeService other = fx.node("other", new CountingModel())) {
            other.loadStored();
            // Hits of equal score may come in another order from another index: compared as sets.
            String q = "where is the emergency assembly point";
            assertThat(search(other, q).get(0).text()).isEqualTo(search(fx.service, q).get(0).text());
            assertThat(search(other, q)).extracting(SearchHit::text)
                    .containsExactlyInAnyOrderElementsOf(search(fx.service, q).stream().map(SearchHit::text).toList());
        }
    }

    @Test
    void badParentChildSettingsAreRefusedWithTheReason() {
        Map<String, Object> src = Map.of("workspace", "default");
        assertThatThrownBy(() -> fx.service.declare(Map.of("name", "x", "sources", List.of(src), "chunking",
                Map.of("parentSize", 400)))).isInstanceOf(KnowledgeBaseException.class)
                .hasMessageContaining("parentSize needs");
        assertThatThrownBy(() -> fx.service.declare(Map.of("name", "x", "sources", List.of(src), "chunking",
                Map.of("mode", "parent-child", "size", 128, "parentSize", 100))))
                .hasMessageContaining("parentSize must be larger than the size");
        assertThatThrownBy(() -> fx.service.declare(Map.of("name", "x", "sources", List.of(src), "chunking",
                Map.of("mode", "tree")))).hasMessageContaining("chunking.mode is");
        assertThat(fx.service.base("x")).isEmpty();
    }
}
