package dev.caravan.knowledge;

import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.WorkspacePath;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The ingestion steps, each a {@code knowledge:NAME?operation=...} of the ingestion route: read (inside extract),
 * extract, chunk, embed, upsert. A step that ends a document early (gone, unchanged, too large, no text) throws
 * {@link Outcome}; everything else that goes wrong fails the document with a reason.
 */
public final class Pipeline {
    /** Ends a document's run early with a final state. */
    public static final class Outcome extends RuntimeException {
        final String status;
        final boolean gone;

        Outcome(String status, String reason, boolean gone) {
            super(reason, null, false, false);
            this.status = status;
            this.gone = gone;
        }
    }

    /** Bases as the pipeline needs them. */
    public interface Bases {
        Optional<KnowledgeService.Base> base(String name);
    }

    /** Not a state: the document is someone else's now, leave it as it is. */
    static final String LOST = "lost";
    private static final int BATCH = 32;

    private final Workspaces workspaces;
    private final Extractor extractor;
    private final KnowledgeStore store;
    private final Bases bases;
    private final Predicate<IngestJob> progress;

    Pipeline(Workspaces workspaces, Extractor extractor, KnowledgeStore store, Bases bases,
             Predicate<IngestJob> progress) {
        this.workspaces = workspaces;
        this.extractor = extractor;
        this.store = store;
        this.bases = bases;
        this.progress = progress;
    }

    private KnowledgeService.Base base(IngestJob job) {
        return bases.base(job.base).orElseThrow(() -> new Outcome(DocumentState.SKIPPED,
                "knowledge base " + job.base + " no longer exists", true));
    }

    public void extract(IngestJob job) {
        KnowledgeService.Base base = base(job);
        if (!base.definition().covers(job.workspace, job.path)) {
            throw new Outcome(null, "no longer covered by the base's sources", true);
        }
        Workspace ws = workspaces.get(job.workspace);
        if (ws == null) {
            throw new Outcome(DocumentState.FAILED, "workspace " + job.workspace + " does not exist", false);
        }
        WorkspacePath path = WorkspacePath.of(job.path);
        Optional<FileInfo> info = ws.storage().find(path);
        if (info.isEmpty() || !info.get().isFile()) {
            throw new Outcome(null, "deleted", true);
        }
        long max = base.definition().maxFileBytes();
        if (info.get().size() > max) {
            throw new Outcome(DocumentState.SKIPPED, "the file has " + info.get().size() + " bytes, more than the "
                    + "base's maxFileBytes (" + max + ")", false);
        }
        try (FileContent content = ws.storage().read(path, ByteRange.ALL); InputStream in = content.stream()) {
            job.content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            job.etag = content.info().etag();
        } catch (IOException e) {
            throw new IllegalStateException("could not read the file (" + e.getMessage() + ")", e);
        }
        job.contentHash = HexFormat.of().formatHex(Hashes.sha256().digest(job.content));
        DocumentState before = job.previous;
        boolean same = before != null && job.contentHash.equals(before.contentHash()) && before.chunkCount() > 0;
        job.outputs = new ArrayList<>();
        for (KnowledgeService.Generation g : base.live()) {
            if (!same || !store.hasChunks(job.base, job.workspace, job.path, g.model().id())) {
                job.outputs.add(new IngestJob.Output(g));
            }
        }
        if (job.outputs.isEmpty()) {
            // Unchanged content (a touch, a rewrite of the same bytes, a reconcile) that every model of the base
            // has: no extraction, no embedding. During a model change only the new model's chunks are made.
            throw new Outcome(DocumentState.INDEXED, null, false);
        }
        try {
            job.extracted = extractor.extract(new ByteArrayInputStream(job.content), path.name(), 20_000_000);
        } catch (Extractor.ExtractionException e) {
            throw new Outcome(DocumentState.FAILED, e.getMessage(), false);
        }
        job.text = job.extracted.text();
        if (job.text.isBlank()) {
            throw new Outcome(DocumentState.SKIPPED, "no text found (an image or a scanned PDF? OCR is not enabled)",
                    false);
        }
    }

    public void chunk(IngestJob job) {
        KnowledgeService.Base base = base(job);
        Extracted doc = job.extracted;
        if (!job.text.equals(doc.text())) {
            // A step changed the text: its blocks are its paragraphs now (headings and pages are kept no longer).
            doc = new Extracted(job.text, doc.mimeType(), paragraphs(job.text));
            job.extracted = doc;
        }
        for (IngestJob.Output out : job.outputs) {
            KnowledgeService.Generation g = out.generation;
            out.chunks = g.chunker().chunk(doc);
            out.contexts = g.parents() == null ? null : parents(out.chunks, g.parents().chunk(doc));
        }
    }

    public void embed(IngestJob job) {
        base(job);
        for (IngestJob.Output out : job.outputs) {
            embed(job, out);
        }
    }

    private void embed(IngestJob job, IngestJob.Output out) {
        EmbeddingModel model = out.generation.model();
        Map<String, Integer> firstByHash = new LinkedHashMap<>();
        List<String> hashes = new ArrayList<>();
        for (Chunk c : out.chunks) {
            String h = chunkHash(model, c);
            hashes.add(h);
            firstByHash.putIfAbsent(h, c.ordinal());
        }
        Map<String, float[]> cached = store.vectors(model.id(), new LinkedHashSet<>(hashes));
        List<String> missing = firstByHash.keySet().stream().filter(h -> !cached.containsKey(h)).toList();
        // A remote model gets its own batch size in one request; each batch renews the lease (a rate-limited
        // endpoint may keep a batch waiting).
        int batch = out.generation.spec().remote() ? out.generation.spec().batchSize() : BATCH;
        int i = 0;
        do {
            if (!progress.test(job)) {
                throw new Outcome(LOST, "the lease was lost (the file changed again, or another worker took over)",
                        false);
            }
            if (missing.isEmpty()) {
                break;
            }
            List<String> part = missing.subList(i, Math.min(missing.size(), i + batch));
            List<float[]> vectors = model.embedAll(part.stream()
                    .map(h -> out.chunks.get(firstByHash.get(h)).embedText()).toList());
            Map<String, float[]> fresh = new LinkedHashMap<>();
            for (int j = 0; j < part.size(); j++) {
                fresh.put(part.get(j), vectors.get(j));
            }
            store.putVectors(model.id(), fresh);
            cached.putAll(fresh);
            job.embedded += part.size();
            i += batch;
        } while (i < missing.size());
        out.vectors = hashes.stream().map(cached::get).toList();
    }

    public void upsert(IngestJob job) {
        KnowledgeService.Base base = base(job);
        for (IngestJob.Output out : job.outputs) {
            String model = out.generation.model().id();
            List<StoredChunk> stored = new ArrayList<>();
            List<IndexedChunk> indexed = new ArrayList<>();
            for (Chunk c : out.chunks) {
                String hash = chunkHash(out.generation.model(), c);
                String id = chunkId(job.workspace, job.path, c.ordinal(), hash);
                String context = out.contexts == null ? null : out.contexts.get(c.ordinal());
                stored.add(new StoredChunk(id, job.workspace, job.path, c.ordinal(), hash, model, c.page(),
                        c.heading(), c.start(), c.end(), c.text(), context));
                indexed.add(new IndexedChunk(id, job.workspace, job.path, job.extracted.mimeType(), c.page(),
                        c.heading(), c.text(), out.vectors.get(c.ordinal()), context));
            }
            long seq;
            try {
                seq = store.replaceChunks(job.base, job.workspace, job.path, job.owner, job.extracted.mimeType(),
                        model, stored);
            } catch (KnowledgeStore.LeaseLost e) {
                throw new Outcome(LOST, "the lease was lost (the file changed again, or another worker took over)",
                        false);
            } catch (KnowledgeStore.StaleGeneration e) {
                // Queued again: the next run sees the base's models as the database has them.
                store.queue(job.base, job.workspace, job.path, job.etag);
                throw new Outcome(LOST, e.getMessage(), false);
            }
            // This node's search has it now (if the generation is still the base's); other nodes read the feed.
            base.live().stream().filter(g -> g.index() == out.generation.index()).findFirst()
                    .ifPresent(g -> g.index().apply(seq, job.workspace, job.path, indexed));
        }
    }

    /**
     * Each small chunk's parent: the parent passage (cut from the same text by the larger chunker) it overlaps most.
     * Both cut sections at the same headings and pages, so a chunk lies inside one parent unless a parent was split.
     */
    static List<String> parents(List<Chunk> chunks, List<Chunk> parents) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (Chunk c : chunks) {
            Chunk best = null;
            int bestOverlap = -1;
            for (int i = from; i < parents.size(); i++) {
                Chunk p = parents.get(i);
                if (p.start() >= c.end() && best != null) {
                    break;
                }
                int overlap = Math.min(c.end(), p.end()) - Math.max(c.start(), p.start());
                if (overlap > bestOverlap) {
                    best = p;
                    bestOverlap = overlap;
                    from = Math.max(0, i - 1);
                }
            }
            out.add(best == null ? c.text() : best.text());
        }
        return out;
    }

    /** Characters of the text covered by chunks (whitespace between chunks counts as covered). */
    static long covered(String text, List<Chunk> chunks) {
        boolean[] in = new boolean[text.length()];
        for (Chunk c : chunks) {
            for (int i = c.start(); i < c.end(); i++) {
                in[i] = true;
            }
        }
        long n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] || Character.isWhitespace(text.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    /** Same model and same text: the same vector; the id is stamped in the hash so a model swap misses the cache. */
    static String chunkHash(EmbeddingModel model, Chunk c) {
        return Hashes.sha256(model.id() + "\n" + c.embedText());
    }

    /** Deterministic: the same document, position and text always give the same id. */
    static String chunkId(String workspace, String path, int ordinal, String hash) {
        return Hashes.sha1(workspace + "\u0000" + path + "\u0000" + ordinal + "\u0000" + hash);
    }

    private static List<Extracted.Block> paragraphs(String text) {
        List<Extracted.Block> out = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int blank = text.indexOf("\n\n", at);
            int end = blank < 0 ? text.length() : blank;
            if (end > at) {
                out.add(new Extracted.Block(at, end, 0, null, false));
            }
            at = end + 2;
        }
        return out;
    }
}
