package dev.caravan.knowledge;

import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The knowledge tables on PostgreSQL: ingestion, the embedding cache, leases and a rebuild of a lost index. */
class PostgresKnowledgeStoreTest {
    @TempDir
    Path data;

    @Test
    void ingestsClaimsOnceAndRebuildsTheIndexFromTheDatabase() throws Exception {
        try (KnowledgeFixture fx = new KnowledgeFixture(data, TestDatabases.postgres())) {
            Files.createDirectories(fx.root.resolve("kb"));
            Files.writeString(fx.root.resolve("kb/expenses.md"), Corpus.source("expenses.md"));
            Files.writeString(fx.root.resolve("kb/notes.txt"), Corpus.source("notes.txt"));
            fx.declareKb();
            fx.service.drain();
            assertThat(fx.service.counts("kb")).containsEntry("indexed", 2);

            fx.store.queue("kb", "default", "kb/notes.txt", null);
            assertThat(fx.store.claim("a", Duration.ofMinutes(1), 10, 3)).hasSize(1);
            assertThat(fx.store.claim("b", Duration.ofMinutes(1), 10, 3)).as("claimed once").isEmpty();

            // The index directory is lost (a new node, a wiped disk): rebuilt from the chunks and vectors stored.
            fx.service.close();
            try (var files = Files.walk(data.resolve("knowledge"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            int before = fx.model.texts.get();
            fx.service = fx.start(Duration.ofMinutes(2));
            fx.service.loadStored();
            assertThat(fx.service.search("hotel limit in London", "kb", 3, SearchFilters.NONE,
                    LuceneIndex.Mode.HYBRID).get(0).path()).isEqualTo("kb/expenses.md");
            assertThat(fx.model.texts.get() - before).as("only the query was embedded").isEqualTo(1);
        }
    }
}
