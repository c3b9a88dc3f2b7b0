package dev.caravan.knowledge;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.support.TestDatabases;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/knowledge.sh: ingestion rate (files to searchable) against the raw model's embedAll on the same chunk texts,
 * retrieval quality per search mode on the evaluation corpus, search latency (query embedding included, and where
 * it goes) at a larger index size, HNSW recall@10 against exact search on the same vectors, and the heap while a
 * large corpus is ingested. The large index is the corpus's real chunks plus synthetic ones whose vectors are real
 * embeddings of a sample of synthetic texts, slightly perturbed, so that HNSW works on realistic vectors without
 * embedding 100k texts.
 */
public final class KnowledgeBench {
    public static void main(String[] args) throws Exception {
        int chunks = env("BENCH_KNOWLEDGE_CHUNKS", 100_000);
        int queries = env("BENCH_KNOWLEDGE_QUERIES", 300);
        int docs = env("BENCH_KNOWLEDGE_DOCS", 60);
        int heapMb = env("BENCH_KNOWLEDGE_HEAP_MB", 8);
        Path data = Files.createTempDirectory("caravan-knowledge-bench");
        try (KnowledgeFixture fx = new KnowledgeFixture(data)) {
            // Loaded before anything is timed, like the model: Tika's parsers for each format (PDFBox, POI) take
            // seconds to load the first time, once per process.
            fx.model.embedAll(List.of("load the model before anything is timed"));
            Corpus.write(fx.root.resolve("kb"));
            Extractor extractor = new Extractor();
            for (Path p : Files.list(fx.root.resolve("kb")).toList()) {
                try (var in = Files.newInputStream(p)) {
                    extractor.extract(in, p.getFileName().toString(), 20_000_000);
                }
            }
            // Documents whose chunks are all distinct, so that every chunk is embedded (no cache hits).
            List<String> sentences = sentences();
            Random words = new Random(5);
            for (int i = 0; i < docs; i++) {
                Files.createDirectories(fx.root.resolve("kb/gen"));
                Files.writeString(fx.root.resolve("kb/gen/doc" + i + ".md"), document(i, sentences, words));
            }
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            fx.model.record = seen;
            int before = fx.model.texts.get();
            String load0 = load();
            long cpu0 = cpu();
            long t0 = System.nanoTime();
            fx.declareKb();
            fx.service.drain();
            double ingestSeconds = (System.nanoTime() - t0) / 1e9;
            double ingestCpu = (cpu() - cpu0) / 1e6;
            fx.model.record = null;
            int stored = fx.store.chunks("kb").size();
            int embedded = fx.model.texts.get() - before;
            System.out.printf(Locale.ROOT, "ingestion: %d documents, %d chunks (%d embedded) from files to searchable "
                            + "in %.1f s = %.1f chunks/s (load %s); CPU %.0f ms per embedded chunk%n",
                    fx.service.documents("kb").size(), stored, embedded, ingestSeconds, stored / ingestSeconds, load0,
                    ingestCpu / embedded);
            List<String> texts = List.copyOf(seen);
            String load1 = load();
            long cpu1 = cpu();
            long t1 = System.nanoTime();
            for (int i = 0; i < texts.size(); i += 32) {
                fx.model.embedAll(texts.subList(i, Math.min(texts.size(), i + 32)));
            }
            double raw = (System.nanoTime() - t1) / 1e9;
            double rawCpu = (cpu() - cpu1) / 1e6;
            // Wall-clock rates swing with the shared machine's load; CPU per chunk of this process does not.
            System.out.printf(Locale.ROOT, "raw embedAll on the same %d chunk texts (batches of 32): %.1f s = %.1f "
                    + "chunks/s (load %s); CPU %.0f ms per chunk%n", texts.size(), raw, texts.size() / raw, load1,
                    rawCpu / texts.size());
            System.out.printf(Locale.ROOT, "pipeline/raw = %.2f by wall clock (embedded chunks/s), %.2f by CPU per "
                    + "chunk (target >= 0.85)%n", (embedded / ingestSeconds) / (texts.size() / raw),
                    (rawCpu / texts.size()) / (ingestCpu / embedded));

            // Retrieval quality on a base of the corpus alone (kb/*, not kb/gen/).
            fx.service.declare(Map.of("name", "eval", "sources", List.of(Map.of(
                    "workspace", "default", "include", List.of("kb/*")))));
            fx.service.drain();
            List<Corpus.Question> qs = Corpus.questions();
            for (LuceneIndex.Mode mode : LuceneIndex.Mode.values()) {
                System.out.printf(Locale.ROOT, "%-7s %s%n", mode.name().toLowerCase(Locale.ROOT),
                        RetrievalEvaluation.run(fx.service, "eval", qs, mode));
            }

            KnowledgeService.Base base = fx.service.base("kb").orElseThrow();
            grow(fx, base, chunks);
            base.index().awaitMerges();
            System.out.printf(Locale.ROOT, "index: %d chunks in %d segments (background merges finished)%n",
                    base.index().size(), base.index().segments());

            List<float[]> questionVectors = new ArrayList<>();
            for (Corpus.Question q : qs) {
                questionVectors.add(fx.service.embedQuery(q.question()));
            }
            hnswRecall(data.resolve("knowledge/kb"), questionVectors, fx.model);
            latency(fx, base, qs, queries);
        }
        if (heapMb > 0) {
            heap(Files.createTempDirectory("caravan-knowledge-heap"), heapMb);
        }
        System.exit(0);
    }

    private static void grow(KnowledgeFixture fx, KnowledgeService.Base base, int chunks) {
        int have = base.index().size();
        Random random = new Random(17);
        List<float[]> seeds = new ArrayList<>();
        List<String> seedTexts = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            seedTexts.add(synthetic(random));
        }
        for (int i = 0; i < seedTexts.size(); i += 32) {
            seeds.addAll(fx.model.embedAll(seedTexts.subList(i, i + 32)));
        }
        List<IndexedChunk> batch = new ArrayList<>();
        long t2 = System.nanoTime();
        for (int i = have; i < chunks; i++) {
            float[] v = perturb(seeds.get(i % seeds.size()), random);
            batch.add(new IndexedChunk("syn" + i, "default", "synthetic/doc" + (i / 20) + ".md", "text/markdown",
                    0, null, synthetic(random), v, null));
            if (batch.size() == 20) {
                // Written as the follower writes a batch, committed once (a commit per document syncs to disk).
                base.index().write("default", "synthetic/doc" + (i / 20) + ".md", batch);
                batch = new ArrayList<>();
            }
        }
        base.index().commit(base.index().applied(), true);
        System.out.printf(Locale.ROOT, "index grown to %d chunks in %.1f s%n", base.index().size(),
                (System.nanoTime() - t2) / 1e9);
    }

    /**
     * HNSW against exact search on the same vectors (read back from the committed index): of the exact ten nearest,
     * how many the graph search returns; for k = 10 and for the candidates hybrid search asks for (k = 8: 50).
     */
    private static void hnswRecall(Path indexDir, List<float[]> questionVectors, CountingModel model)
            throws Exception {
        Random random = new Random(23);
        List<float[]> probes = new ArrayList<>(questionVectors);
        List<String> other = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            other.add(synthetic(random)); // fresh texts: near the synthetic clusters, not on their seeds
        }
        probes.addAll(model.embedAll(other));
        try (FSDirectory dir = FSDirectory.open(indexDir); DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            int depth = Math.max(8 * LuceneIndex.DEPTH_PER_HIT, LuceneIndex.MIN_DEPTH);
            double at10 = 0;
            double atDepth = 0;
            long exactNanos = 0;
            for (float[] q : probes) {
                long s = System.nanoTime();
                Set<Integer> exact = exact(reader, q, 10);
                exactNanos += System.nanoTime() - s;
                at10 += overlap(exact, searcher.search(new KnnFloatVectorQuery("vector", q, 10), 10).scoreDocs);
                ScoreDoc[] deep = searcher.search(new KnnFloatVectorQuery("vector", q, depth), depth).scoreDocs;
                atDepth += overlap(exact, Arrays.copyOf(deep, Math.min(10, deep.length)));
            }
            System.out.printf(Locale.ROOT, "HNSW recall@10 against exact search (%d queries: %d questions, %d synthetic "
                            + "texts; %d vectors, %d segments): k=10 %.3f, k=%d %.3f (target >= 0.95); exact search "
                            + "%.0f ms a query%n", probes.size(), questionVectors.size(), other.size(), reader.numDocs(),
                    reader.leaves().size(), at10 / probes.size(), depth, atDepth / probes.size(),
                    exactNanos / 1e6 / probes.size());
        }
    }

    private static double overlap(Set<Integer> exact, ScoreDoc[] found) {
        int n = 0;
        for (ScoreDoc d : found) {
            if (exact.contains(d.doc)) {
                n++;
            }
        }
        return (double) n / exact.size();
    }

    /** Brute force: the dot product (the index's similarity) with every live vector. */
    private static Set<Integer> exact(DirectoryReader reader, float[] q, int k) throws Exception {
        PriorityQueue<float[]> top = new PriorityQueue<>((a, b) -> Float.compare(a[0], b[0]));
        for (LeafReaderContext leaf : reader.leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues("vector");
            Bits live = leaf.reader().getLiveDocs();
            if (values == null) {
                continue;
            }
            for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                float[] v = values.vectorValue();
                float dot = 0;
                for (int i = 0; i < v.length; i++) {
                    dot += q[i] * v[i];
                }
                if (top.size() < k) {
                    top.add(new float[]{dot, leaf.docBase + doc});
                } else if (dot > top.peek()[0]) {
                    top.poll();
                    top.add(new float[]{dot, leaf.docBase + doc});
                }
            }
        }
        Set<Integer> out = new HashSet<>();
        for (float[] e : top) {
            out.add((int) e[1]);
        }
        return out;
    }

    /** Per query, in turn: the embedding alone, each search kind alone on that vector, and the whole hybrid search. */
    private static void latency(KnowledgeFixture fx, KnowledgeService.Base base, List<Corpus.Question> qs,
                                int queries) {
        for (int w = 0; w < 30; w++) {
            fx.service.search(qs.get(w % qs.size()).question(), "kb", 8, SearchFilters.NONE, LuceneIndex.Mode.HYBRID);
        }
        String[] names = {"query embedding", "HNSW kNN only", "BM25 only", "fusion of both (no embedding)",
                "hybrid search, embedding included"};
        long[][] t = new long[names.length][queries];
        String load = load();
        for (int i = 0; i < queries; i++) {
            String q = qs.get(i % qs.size()).question();
            long s = System.nanoTime();
            float[] v = fx.service.embedQuery(q);
            t[0][i] = System.nanoTime() - s;
            LuceneIndex.Mode[] modes = {LuceneIndex.Mode.VECTOR, LuceneIndex.Mode.TEXT, LuceneIndex.Mode.HYBRID};
            for (int m = 0; m < modes.length; m++) {
                s = System.nanoTime();
                base.index().search("kb", q, v, 8, SearchFilters.NONE, modes[m]);
                t[m + 1][i] = System.nanoTime() - s;
            }
            s = System.nanoTime();
            fx.service.search(q, "kb", 8, SearchFilters.NONE, LuceneIndex.Mode.HYBRID);
            t[4][i] = System.nanoTime() - s;
        }
        System.out.printf(Locale.ROOT, "search at %d chunks, k=8, %d queries (load %s at the start, %s at the end):%n",
                base.index().size(), queries, load, load());
        for (int j = 0; j < names.length; j++) {
            Arrays.sort(t[j]);
            System.out.printf(Locale.ROOT, "  %-34s p50 %6.1f ms  p99 %6.1f ms%s%n", names[j], t[j][queries / 2] / 1e6,
                    t[j][(int) (queries * 0.99)] / 1e6, j == 4 ? "  (target p50 <= 30 ms at 100k)" : "");
        }
    }

    /**
     * Heap while {@code mb} MB of Markdown (1 MB files) go through extraction, chunking (the real tokenizer), the
     * store (H2 on disk, as the default deployment) and the index, in four rounds: live heap after a full GC after
     * each round, and the highest heap in use sampled every 50 ms (garbage included). The vectors come from
     * {@link HashingModel}: the real model would take hours for this on two cores; its own heap is constant.
     */
    private static void heap(Path data, int mb) throws Exception {
        HikariDataSource db = new HikariDataSource();
        db.setJdbcUrl("jdbc:h2:file:" + data.resolve("caravan"));
        db.setUsername("sa");
        db.setPassword("");
        TestDatabases.migrated(db);
        try (KnowledgeFixture fx = new KnowledgeFixture(data, db)) {
            fx.service.close();
            HashingModel model = new HashingModel();
            fx.service = new KnowledgeService(fx.workspaces, fx.store, model, new Extractor(),
                    new KnowledgeService.Settings(data.resolve("knowledge"), 2, Duration.ofMinutes(2), 3, 16));
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            AtomicLong peak = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            System.gc();
            long baseline = memory.getHeapMemoryUsage().getUsed();
            sampler.setDaemon(true);
            sampler.start();
            List<String> sentences = sentences();
            Random words = new Random(9);
            fx.service.declare(Map.of("name", "big", "sources", List.of(Map.of("workspace", "default",
                    "include", List.of("big/**")))));
            long t0 = System.nanoTime();
            StringBuilder live = new StringBuilder();
            int files = 0;
            for (int round = 0; round < 4; round++) {
                Path dir = fx.root.resolve("big/r" + round);
                Files.createDirectories(dir);
                for (int i = 0; i < mb / 4; i++) {
                    StringBuilder b = new StringBuilder();
                    int d = files++;
                    while (b.length() < 1 << 20) {
                        b.append(document(d, sentences, words));
                    }
                    Files.writeString(dir.resolve("doc" + i + ".md"), b);
                }
                fx.service.reconcile();
                fx.service.drain();
                System.gc();
                live.append(String.format(Locale.ROOT, " %.0f", memory.getHeapMemoryUsage().getUsed() / 1048576.0));
            }
            sampler.interrupt();
            System.out.printf(Locale.ROOT, "heap while ingesting %d MB (%d files of 1 MB, %d chunks, 2 workers; "
                            + "hashed vectors, real tokenizer, H2 on disk) in %.0f s: baseline %.0f MB after GC; after "
                            + "each quarter, after GC:%s MB; highest sampled (garbage included) %.0f MB; max heap %.0f MB%n",
                    files, files, fx.store.chunks("big").size(), (System.nanoTime() - t0) / 1e9,
                    baseline / 1048576.0, live, peak.get() / 1048576.0,
                    memory.getHeapMemoryUsage().getMax() / 1048576.0);
        }
    }

    private static int env(String name, int otherwise) {
        return Integer.parseInt(System.getenv().getOrDefault(name, String.valueOf(otherwise)));
    }

    /** CPU time of this process, ns (every thread: workers, ONNX Runtime's, the GC's). */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** The evaluation corpus's sentences: real prose to build distinct documents from. */
    private static List<String> sentences() throws Exception {
        List<String> out = new ArrayList<>();
        for (String f : Corpus.FILES) {
            for (String s : Corpus.source(f).split("(?<=[.!?])\\s+")) {
                String t = s.replaceAll("[#|<>\\t]", " ").replaceAll("\\s+", " ").trim();
                if (t.length() > 30) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** About 1,500 words in sections; every paragraph names its document and number, so no two chunks are equal. */
    private static String document(int n, List<String> sentences, Random r) {
        StringBuilder b = new StringBuilder("# Generated document " + n + "\n\n");
        for (int p = 0; p < 24; p++) {
            if (p % 6 == 0) {
                b.append("## Section ").append(p / 6 + 1).append(" of document ").append(n).append("\n\n");
            }
            b.append("Paragraph ").append(p).append(" of document ").append(n).append(", ")
                    .append(WORDS[r.nextInt(WORDS.length)]).append(' ').append(r.nextInt(100_000)).append(". ");
            for (int s = 0; s < 4; s++) {
                b.append(sentences.get(r.nextInt(sentences.size()))).append(' ');
            }
            b.append("\n\n");
        }
        return b.toString();
    }

    private static final String[] WORDS = ("tent stove lantern invoice shipping warehouse refund policy meeting budget "
            + "quarter forecast customer ticket repair supplier contract office travel hotel mileage laptop account "
            + "security backup release deploy incident report schedule holiday training review").split(" ");

    private static String synthetic(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            b.append(WORDS[r.nextInt(WORDS.length)]).append(i % 12 == 11 ? ". " : " ");
        }
        return b.toString();
    }

    private static float[] perturb(float[] v, Random r) {
        float[] out = new float[v.length];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] + (float) (r.nextGaussian() * 0.02);
            norm += out[i] * out[i];
        }
        float n = (float) Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) {
            out[i] /= n;
        }
        return out;
    }
}
