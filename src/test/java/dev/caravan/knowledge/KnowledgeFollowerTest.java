package dev.caravan.knowledge;

import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several nodes on one PostgreSQL database: each node's index follows the change feed, a new node builds its
 * index from the tables without embedding, tombstones remove documents everywhere, a node further behind than the
 * feed reaches rebuilds, and a worker that lost its lease cannot write chunks.
 */
class KnowledgeFollowerTest {
    @TempDir
    Path data;

    static List<String> paths(KnowledgeService node, String query) {
        return node.search(query, "kb", 8, SearchFilters.NONE, LuceneIndex.Mode.HYBRID).stream()
                .map(SearchHit::path).toList();
    }

    @Test
    void aSecondNodeFollowsWritesDeletesAndFailuresWithoutEmbedding() throws Exception {
        try (KnowledgeFixture fx = new KnowledgeFixture(data, TestDatabases.postgres())) {
            Files.createDirectories(fx.root.resolve("kb"));
            Files.writeString(fx.root.resolve("kb/expenses.md"), Corpus.source("expenses.md"));
            Files.writeString(fx.root.resolve("kb/notes.txt"), Corpus.source("notes.txt"));
            KnowledgeService a = fx.declareKb();
            a.drain();
            assertThat(a.counts("kb")).containsEntry("indexed", 2);

            CountingModel bModel = new CountingModel();
            try (KnowledgeService b = fx.node("b", bModel)) {
                b.loadStored(); // the base declared on node A, read from the database
                assertThat(bModel.texts.get()).as("node B built its index from the database").isZero();
                assertThat(b.base("kb").orElseThrow().index().size())
                        .isEqualTo(a.base("kb").orElseThrow().index().size()).isPositive();
                assertThat(paths(b, "hotel limit in London")).first().isEqualTo("kb/expenses.md");

                // A new file on node A: node B has it after one follow, still embedding only its queries.
                Files.writeString(fx.root.resolve("kb/onboarding.md"), Corpus.source("onboarding.md"));
                a.reconcile();
                a.drain();
                assertThat(paths(b, "probation period")).doesNotContain("kb/onboarding.md");
                assertThat(b.follow()).isPositive();
                assertThat(paths(b, "probation period")).contains("kb/onboarding.md");
                assertThat(bModel.texts.get()).as("only B's three queries").isEqualTo(3);

                // Deleted on A (as the audit hook reports it): the tombstone removes it from B.
                assertThat(paths(b, "bicycle door code")).contains("kb/notes.txt");
                Files.delete(fx.root.resolve("kb/notes.txt"));
                a.changed("default", "kb/notes.txt", null, true);
                assertThat(paths(a, "bicycle door code")).doesNotContain("kb/notes.txt");
                b.follow();
                assertThat(paths(b, "bicycle door code")).doesNotContain("kb/notes.txt");

                // A file that now has no text is skipped on A: its old chunks leave B's search too.
                Files.writeString(fx.root.resolve("kb/expenses.md"), "   \n");
                a.reconcile();
                a.drain();
                assertThat(a.document("kb", "default", "kb/expenses.md").orElseThrow().status()).isEqualTo("skipped");
                b.follow();
                assertThat(paths(b, "hotel limit in London")).doesNotContain("kb/expenses.md");
                assertThat(b.base("kb").orElseThrow().index().size())
                        .isEqualTo(a.base("kb").orElseThrow().index().size());
            }

            // A node restarted after the feed was pruned past it rebuilds (it could not know what it missed).
            CountingModel cModel = new CountingModel();
            try (KnowledgeService c = fx.node("c", cModel)) {
                c.loadStored();
                assertThat(paths(c, "probation period")).contains("kb/onboarding.md");
            }
            Files.delete(fx.root.resolve("kb/onboarding.md"));
            a.changed("default", "kb/onboarding.md", null, true);
            assertThat(fx.service.pruneFeed(Duration.ZERO)).isPositive();
            try (KnowledgeService c = fx.node("c", cModel)) {
                c.loadStored();
                assertThat(paths(c, "probation period")).doesNotContain("kb/onboarding.md");
                assertThat(c.base("kb").orElseThrow().index().size()).isZero();
            }
            assertThat(cModel.texts.get()).as("only C's two queries").isEqualTo(2);

            // The base removed on A is removed on a node that follows.
            try (KnowledgeService d = fx.node("d", new CountingModel())) {
                d.loadStored();
                assertThat(d.base("kb")).isPresent();
                a.remove("kb");
                d.loadStored();
                assertThat(d.base("kb")).isEmpty();
            }
        }
    }

    @Test
    void aWorkerThatLostItsLeaseCannotWriteChunks() throws Exception {
        try (KnowledgeFixture fx = new KnowledgeFixture(data, TestDatabases.postgres())) {
            fx.store.queue("kb", "default", "kb/a.md", null);
            assertThat(fx.store.claim("node-a", Duration.ofMinutes(1), 10, 3)).hasSize(1);
            StoredChunk chunk = new StoredChunk("c1", "default", "kb/a.md", 0, "h".repeat(64), "m", 0, null, 0, 4,
                    "text", null);
            long first = fx.store.replaceChunks("kb", "default", "kb/a.md", "node-a", "text/markdown", List.of(chunk));
            fx.store.queue("kb", "default", "kb/a.md", null); // changed again: the lease is gone
            assertThatThrownBy(() -> fx.store.replaceChunks("kb", "default", "kb/a.md", "node-a", "text/markdown",
                    List.of())).isInstanceOf(KnowledgeStore.LeaseLost.class);
            assertThat(fx.store.chunks("kb", "default", "kb/a.md")).hasSize(1);
            assertThat(fx.store.lastSequence()).as("nothing recorded for the refused write").isEqualTo(first);
            assertThat(fx.store.claim("node-b", Duration.ofMinutes(1), 10, 3)).hasSize(1);
            assertThat(fx.store.claim("node-a", Duration.ofMinutes(1), 10, 3)).as("claimed once").isEmpty();
        }
    }

    @Test
    void anIndexIgnoresAChangeOlderThanWhatItHoldsAndKeepsItsPlaceAcrossARestart() {
        float[] v = new float[384];
        v[0] = 1;
        IndexedChunk c = new IndexedChunk("id", "default", "a.md", "text/markdown", 0, null, "alpha beta", v);
        try (LuceneIndex index = new LuceneIndex(data.resolve("i"))) {
            assertThat(index.applied()).isEqualTo(-1);
            index.commit(4, false);
            assertThat(index.apply(5, "default", "a.md", List.of(c))).isTrue();
            assertThat(index.apply(7, "default", "a.md", List.of())).isTrue();
            assertThat(index.applied()).as("6 is not applied yet: the mark waits for it").isEqualTo(5);
            assertThat(index.apply(5, "default", "a.md", List.of(c))).isFalse();
            assertThat(index.size()).isZero();
        }
        try (LuceneIndex index = new LuceneIndex(data.resolve("i"))) {
            assertThat(index.applied()).isEqualTo(5);
        }
    }
}
