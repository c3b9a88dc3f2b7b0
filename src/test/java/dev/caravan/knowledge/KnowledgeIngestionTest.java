package dev.caravan.knowledge;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KnowledgeIngestionTest {
    @TempDir
    Path data;
    KnowledgeFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new KnowledgeFixture(data);
        Corpus.write(fx.root.resolve("kb"));
        Files.writeString(fx.root.resolve("elsewhere.md"), "# Not in the base\nThe zebra password is 1234.");
        fx.declareKb();
        fx.service.drain();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private List<SearchHit> search(String q) {
        return fx.service.search(q, "kb", 8, SearchFilters.NONE, LuceneIndex.Mode.HYBRID);
    }

    @Test
    void everyFormatIsIndexedAndItsChunksCoverAllExtractedText() {
        assertThat(fx.service.counts("kb")).isEqualTo(Map.of("indexed", 9));
        for (DocumentState d : fx.service.documents("kb")) {
            assertThat(d.extractedChars()).as(d.path()).isPositive();
            assertThat(d.chunkedChars()).as(d.path() + " chunks cover the extracted text")
                    .isEqualTo(d.extractedChars());
            assertThat(d.chunkCount()).as(d.path()).isPositive();
        }
        assertThat(fx.service.document("kb", "default", "kb/returns.pdf").orElseThrow().mimeType())
                .isEqualTo("application/pdf");
    }

    @Test
    void pdfPagesDocxHeadingsAndTableHeadersAreKept() {
        SearchHit repair = search("repair workshop quote flat fee").get(0);
        assertThat(repair.path()).isEqualTo("kb/returns.pdf");
        assertThat(repair.page()).isEqualTo(3);

        SearchHit sick = search("doctor's note fourth day of illness").get(0);
        assertThat(sick.path()).isEqualTo("kb/leave.docx");
        assertThat(sick.heading()).isEqualTo("Sick leave");

        assertThat(search("Central Hub Leeds manager").get(0).text())
                .contains("Warehouse: Central Hub; City: Leeds; Manager: Rahul Mehta");
        assertThat(search("Skye ultralight tent price").get(0).text()).contains("Product: Skye ultralight tent")
                .contains("Price (EUR): 520");

        SearchHit hotel = search("hotel limit London").get(0);
        assertThat(hotel.path()).isEqualTo("kb/expenses.md");
        assertThat(hotel.heading()).isEqualTo("Hotels");

        assertThat(search("console.log not content")).allSatisfy(h -> assertThat(h.text()).doesNotContain("console"));
        assertThat(search("zebra password")).noneMatch(h -> h.path().equals("elsewhere.md"));
    }

    @Test
    void anUnchangedFileCostsNoEmbeddingAndAChangedOneOnlyItsChangedChunks() throws Exception {
        int before = fx.model.texts.get();
        fx.service.reindex("kb", null); // queues everything; bytes unchanged
        fx.service.drain();
        assertThat(fx.model.texts.get()).as("a reindex re-chunks but the cache holds every vector").isEqualTo(before);

        fx.store.queue("kb", "default", "kb/notes.txt", null);
        fx.service.drain();
        assertThat(fx.model.texts.get()).as("unchanged bytes: no extraction, no embedding").isEqualTo(before);

        String big = "# Long\n\n" + String.join("\n\n", java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> "Paragraph " + i + " talks about topic " + i + " at some length, with words that "
                        + "fill the chunk: " + "lorem ipsum dolor sit amet ".repeat(8)).toList());
        Files.writeString(fx.root.resolve("kb/long.md"), big);
        fx.service.reconcile();
        fx.service.drain();
        int chunks = fx.service.document("kb", "default", "kb/long.md").orElseThrow().chunkCount();
        assertThat(chunks).isGreaterThan(3);
        int afterNew = fx.model.texts.get();
        assertThat(afterNew - before).isEqualTo(chunks);

        Files.writeString(fx.root.resolve("kb/long.md"), big.replace("Paragraph 39 talks", "Paragraph 39 speaks"));
        fx.service.reconcile();
        fx.service.drain();
        assertThat(fx.model.texts.get() - afterNew).as("only the last chunk changed").isEqualTo(1);
    }

    @Test
    void aDeletedOrMovedFileIsNeverReturned() throws Exception {
        assertThat(search("bicycle door code")).anyMatch(h -> h.path().equals("kb/notes.txt"));
        fx.service.changed("default", "kb/notes.txt", null, true); // as the audit hook reports a delete
        Files.delete(fx.root.resolve("kb/notes.txt"));
        assertThat(search("bicycle door code")).noneMatch(h -> h.path().equals("kb/notes.txt"));

        // Behind Caravan's back: the reconcile finds it gone.
        Files.delete(fx.root.resolve("kb/onboarding.md"));
        fx.service.reconcile();
        assertThat(search("probation period")).noneMatch(h -> h.path().equals("kb/onboarding.md"));
        assertThat(fx.service.document("kb", "default", "kb/onboarding.md")).isEmpty();

        Files.move(fx.root.resolve("kb/expenses.md"), fx.root.resolve("kb/moved.md"));
        fx.service.changed("default", "kb/expenses.md", "kb/moved.md", false);
        fx.service.drain();
        assertThat(search("hotel limit London")).noneMatch(h -> h.path().equals("kb/expenses.md"))
                .anyMatch(h -> h.path().equals("kb/moved.md"));
    }

    @Test
    void aDocumentLeftInAWorkingStateByADeadWorkerIsRetried() throws Exception {
        Files.writeString(fx.root.resolve("kb/crash.md"), "# Crash\nThe crash test dummy wears a yellow helmet.");
        fx.store.queue("kb", "default", "kb/crash.md", null);
        // A worker (another process, now killed) claims it with a short lease and never finishes.
        List<DocumentState> claimed = fx.store.claim("dead-node", Duration.ofMillis(200), 10, 3);
        assertThat(claimed).extracting(DocumentState::path).containsExactly("kb/crash.md");
        assertThat(fx.service.document("kb", "default", "kb/crash.md").orElseThrow().status()).isEqualTo("extracting");

        fx.service.close();
        fx.service = fx.start(Duration.ofMinutes(2)); // the restart
        fx.service.loadStored();
        Thread.sleep(300);
        fx.service.drain();
        DocumentState d = fx.service.document("kb", "default", "kb/crash.md").orElseThrow();
        assertThat(d.status()).isEqualTo("indexed");
        assertThat(d.attempts()).isEqualTo(2);
        assertThat(search("yellow helmet")).anyMatch(h -> h.path().equals("kb/crash.md"));
        assertThat(fx.service.counts("kb").keySet()).containsExactly("indexed");
    }

    @Test
    void aDocumentWhoseWorkerDiesEveryTimeIsFailedWithAReason() throws Exception {
        Files.writeString(fx.root.resolve("kb/poison.md"), "# Poison\nThis file kills its worker.");
        fx.store.queue("kb", "default", "kb/poison.md", null);
        for (int i = 0; i < 3; i++) {
            assertThat(fx.store.claim("dead-" + i, Duration.ofMillis(50), 10, 3)).hasSize(1);
            Thread.sleep(80);
        }
        assertThat(fx.store.claim("next", Duration.ofMinutes(1), 10, 3)).isEmpty();
        DocumentState d = fx.service.document("kb", "default", "kb/poison.md").orElseThrow();
        assertThat(d.status()).isEqualTo("failed");
        assertThat(d.reason()).contains("worker stopped").contains("reindex");
    }

    @Test
    void aCorruptFileFailsWithAReasonAndAnImageIsSkipped() throws Exception {
        Files.write(fx.root.resolve("kb/broken.pdf"), "%PDF-1.7\n garbage that is not a pdf".getBytes());
        Files.write(fx.root.resolve("kb/pixel.png"), java.util.Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
        fx.service.reconcile();
        fx.service.drain();
        DocumentState broken = fx.service.document("kb", "default", "kb/broken.pdf").orElseThrow();
        assertThat(broken.status()).isEqualTo("failed");
        assertThat(broken.reason()).contains("could not extract text").doesNotContain(data.toString());
        DocumentState pixel = fx.service.document("kb", "default", "kb/pixel.png").orElseThrow();
        assertThat(pixel.status()).isEqualTo("skipped");
        assertThat(pixel.reason()).contains("no text");
        assertThat(fx.service.lastFailure("kb")).map(DocumentState::path).contains("kb/broken.pdf");
    }
}
