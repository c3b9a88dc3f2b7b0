package dev.caravan.knowledge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Listing;
import dev.caravan.workspace.storage.WalkOptions;
import dev.caravan.workspace.storage.WorkspacePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The face of the knowledge room: the bases in use, ingestion (queue, claim with a lease, run the pipeline on a
 * bounded pool of its own), reconcile, search and status. Tools, the admin API and the {@code knowledge:} component
 * all come through here.
 */
public class KnowledgeService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KnowledgeService.class);
    /** bge's instruction for short retrieval queries (passages are embedded without it). */
    private static final String QUERY_PREFIX = "Represent this sentence for searching relevant passages: ";

    /**
     * A base in use: its declaration, index and chunker ({@code parents}: the parent passages' chunker in
     * parent-child mode, else null); {@code origin} is "file" or "api".
     */
    public record Base(KnowledgeBase definition, LuceneIndex index, Chunker chunker, Chunker parents, String origin) {
    }

    /** How a document's run ended, for tests and the log. */
    public record Result(String status, String reason, int embedded) {
    }

    public record Settings(Path indexDir, int workers, Duration lease, int maxAttempts, int claimBatch) {
    }

    private final Workspaces workspaces;
    private final KnowledgeStore store;
    private final EmbeddingModel model;
    private final KnowledgeBaseParser parser;
    private final Settings settings;
    private final Pipeline pipeline;
    private final IndexFollower follower;
    private final Map<String, Base> bases = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final String owner = "node-" + UUID.randomUUID().toString().substring(0, 8);
    private final ObjectMapper json = new ObjectMapper();
    private final Object draining = new Object();
    private volatile UnaryOperator<IngestJob> runner;

    public KnowledgeService(Workspaces workspaces, KnowledgeStore store, EmbeddingModel model, Extractor extractor,
                            Settings settings) {
        this.workspaces = workspaces;
        this.store = store;
        this.model = model;
        this.parser = new KnowledgeBaseParser(model);
        this.settings = settings;
        this.pipeline = new Pipeline(workspaces, extractor, model, store, this::base, job ->
                store.progress(job.previous, job.owner, DocumentState.EMBEDDING, settings.lease()));
        this.runner = this::runSteps;
        this.follower = new IndexFollower(store);
        AtomicInteger n = new AtomicInteger();
        // Its own bounded pool: ingestion never takes a thread that a tool call needs.
        this.pool = new ThreadPoolExecutor(settings.workers(), settings.workers(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.claimBatch() * 2), r -> {
                    Thread t = new Thread(r, "caravan-knowledge-" + n.incrementAndGet());
                    t.setDaemon(true);
                    t.setPriority(Thread.NORM_PRIORITY - 1);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public EmbeddingModel model() {
        return model;
    }

    public KnowledgeBaseParser parser() {
        return parser;
    }

    /** Runs each document through this instead of the built-in steps (the ingestion route, once it is up). */
    public void useRunner(UnaryOperator<IngestJob> route) {
        this.runner = route == null ? this::runSteps : route;
    }

    /** The steps in their usual order, without a route. */
    public IngestJob runBuiltIn(IngestJob job) {
        return runSteps(job);
    }

    private IngestJob runSteps(IngestJob job) {
        pipeline.extract(job);
        pipeline.chunk(job);
        pipeline.embed(job);
        pipeline.upsert(job);
        return job;
    }

    // --- bases

    public Optional<Base> base(String name) {
        return Optional.ofNullable(bases.get(name));
    }

    public List<Base> bases() {
        return bases.values().stream().sorted(Comparator.comparing(b -> b.definition().name())).toList();
    }

    /** Replaces the bases declared in knowledge.yaml; bases that left the file are closed and forgotten. */
    public synchronized void applyFile(List<KnowledgeBase> declared) {
        Set<String> names = new HashSet<>();
        for (KnowledgeBase kb : declared) {
            names.add(kb.name());
            open(kb, "file");
        }
        for (Base b : List.copyOf(bases.values())) {
            if (b.origin().equals("file") && !names.contains(b.definition().name())) {
                close(b.definition().name(), true);
            }
        }
        reconcile();
    }

    /**
     * Loads the bases declared through the API (stored in the database), e.g. at start, and closes those another node
     * removed.
     */
    public synchronized void loadStored() {
        Map<String, String> stored = store.bases();
        for (Base b : List.copyOf(bases.values())) {
            if (b.origin().equals("api") && !stored.containsKey(b.definition().name())) {
                bases.remove(b.definition().name());
                b.index().clear();
                b.index().close();
            }
        }
        for (Map.Entry<String, String> e : stored.entrySet()) {
            if (bases.containsKey(e.getKey()) && bases.get(e.getKey()).origin().equals("file")) {
                continue;
            }
            try {
                open(parser.parse(json.readValue(e.getValue(), Map.class)), "api");
            } catch (JsonProcessingException | KnowledgeBaseException ex) {
                log.warn("Stored knowledge base {} cannot be used: {}", e.getKey(), ex.getMessage());
            }
        }
    }

    /** Declares (or replaces) a base through the API. */
    public synchronized Base declare(Map<?, ?> declaration) {
        KnowledgeBase kb = parser.parse(declaration);
        Base existing = bases.get(kb.name());
        if (existing != null && existing.origin().equals("file")) {
            throw new KnowledgeBaseException(kb.name() + " is declared in connectors/knowledge.yaml; change it there");
        }
        try {
            store.saveBase(kb.name(), json.writeValueAsString(declaration));
        } catch (JsonProcessingException e) {
            throw new KnowledgeBaseException("the declaration cannot be stored: " + e.getOriginalMessage());
        }
        Base b = open(kb, "api");
        reconcile(b);
        return b;
    }

    public synchronized boolean remove(String name) {
        Base b = bases.get(name);
        if (b != null && b.origin().equals("file")) {
            throw new KnowledgeBaseException(name + " is declared in connectors/knowledge.yaml; remove it there");
        }
        boolean stored = store.deleteBase(name);
        return close(name, true) || stored;
    }

    private Base open(KnowledgeBase kb, String origin) {
        Base old = bases.get(kb.name());
        if (old != null && old.definition().equals(kb) && old.origin().equals(origin)) {
            return old;
        }
        LuceneIndex index = old != null ? old.index() : new LuceneIndex(settings.indexDir().resolve(kb.name()));
        Base b = new Base(kb, index, new Chunker(model, kb.chunking().size(), kb.chunking().overlap()),
                kb.chunking().parentChild() ? new Chunker(model, kb.chunking().parentSize(), 0) : null, origin);
        bases.put(kb.name(), b);
        if (old == null) {
            follower.follow(kb.name(), index);
        } else if (!old.definition().chunking().equals(kb.chunking())) {
            reindex(kb.name(), null);
        }
        return b;
    }

    /**
     * Brings every base's index up to the database's change feed (the changes other nodes made); a new or lost index
     * is built from the tables, without embedding anything. Returns the number of changes applied.
     */
    public int follow() {
        int n = 0;
        for (Base b : bases()) {
            try {
                n += follower.follow(b.definition().name(), b.index());
            } catch (RuntimeException e) {
                log.warn("Following the changes of knowledge base {} failed: {}", b.definition().name(),
                        e.getMessage());
            }
        }
        return n;
    }

    /** Forgets feed changes older than {@code retention}; a node away for longer rebuilds its index on return. */
    public int pruneFeed(Duration retention) {
        return store.pruneChanges(java.time.Instant.now().minus(retention));
    }

    private boolean close(String name, boolean forget) {
        Base b = bases.remove(name);
        if (b == null) {
            return false;
        }
        if (forget) {
            store.forgetDocuments(name);
            b.index().clear();
        }
        b.index().close();
        return true;
    }

    // --- triggers

    /**
     * A file changed through Caravan (written, deleted, moved: {@code destination} is the new path). Deletions and
     * the source of a move leave search at once; writes are queued for the workers.
     */
    public void changed(String workspace, String path, String destination, boolean removed) {
        for (Base b : bases.values()) {
            String name = b.definition().name();
            if (path != null && (removed || destination != null)) {
                forget(b, workspace, path); // also a directory: everything below it
            } else if (path != null && b.definition().covers(workspace, path)) {
                store.queue(name, workspace, path, null);
            }
            if (destination != null) {
                requeueBelow(b, workspace, destination);
            }
        }
    }

    private void forget(Base b, String workspace, String path) {
        for (DocumentState d : store.documents(b.definition().name())) {
            if (d.workspace().equals(workspace) && (d.path().equals(path) || d.path().startsWith(path + "/"))) {
                remove(b, d);
            }
        }
    }

    private void requeueBelow(Base b, String workspace, String destination) {
        Workspace ws = workspaces.get(workspace);
        if (ws == null) {
            return;
        }
        Optional<FileInfo> info = ws.storage().find(WorkspacePath.of(destination));
        if (info.isEmpty()) {
            return;
        }
        if (info.get().isFile()) {
            if (b.definition().covers(workspace, destination)) {
                store.queue(b.definition().name(), workspace, destination, null);
            }
        } else {
            reconcile(b);
        }
    }

    /** Finds what changed behind Caravan's back (files on disk, objects in S3) and queues or forgets it. */
    public void reconcile() {
        for (Base b : bases()) {
            try {
                reconcile(b);
            } catch (RuntimeException e) {
                log.warn("Reconciling knowledge base {} failed: {}", b.definition().name(), e.getMessage());
            }
        }
    }

    private void reconcile(Base b) {
        String name = b.definition().name();
        Map<String, DocumentState> known = new HashMap<>();
        for (DocumentState d : store.documents(name)) {
            known.put(d.workspace() + "\u0000" + d.path(), d);
        }
        Set<String> seen = new HashSet<>();
        Set<String> complete = new HashSet<>();
        for (KnowledgeBase.Source s : b.definition().sources()) {
            Workspace ws = workspaces.get(s.workspace());
            if (ws == null) {
                continue;
            }
            Listing all = ws.storage().walk(WorkspacePath.ROOT, WalkOptions.limit(200_000)
                    .withTimeLimit(Duration.ofSeconds(60)));
            if (!all.truncated()) {
                complete.add(s.workspace());
            }
            for (FileInfo f : all.entries()) {
                String path = f.path().toString();
                if (!f.isFile() || !s.matches(s.workspace(), path)) {
                    continue;
                }
                String key = s.workspace() + "\u0000" + path;
                seen.add(key);
                DocumentState d = known.get(key);
                if (d == null || (d.etag() != null && !d.etag().equals(f.etag()) && isSettled(d))
                        || (d.etag() == null && isSettled(d) && d.contentHash() == null)) {
                    store.queue(name, s.workspace(), path, f.etag());
                }
            }
        }
        for (DocumentState d : known.values()) {
            String key = d.workspace() + "\u0000" + d.path();
            if (!seen.contains(key) && (complete.contains(d.workspace()) || !b.definition().covers(d.workspace(),
                    d.path()))) {
                remove(b, d);
            }
        }
    }

    /** The tombstone goes to the feed (the other nodes) and this node's index leaves search at once. */
    private void remove(Base b, DocumentState d) {
        long seq = store.deleteDocument(d.base(), d.workspace(), d.path());
        b.index().apply(seq, d.workspace(), d.path(), List.of());
    }

    private static boolean isSettled(DocumentState d) {
        return d.status().equals(DocumentState.INDEXED) || d.status().equals(DocumentState.FAILED)
                || d.status().equals(DocumentState.SKIPPED);
    }

    /** Queues a base's documents again (all, or one path and what is below it), e.g. after a chunking change. */
    public int reindex(String name, String path) {
        Base b = bases.get(name);
        if (b == null) {
            throw new KnowledgeBaseException("no knowledge base named " + name);
        }
        int n = 0;
        for (DocumentState d : store.documents(name)) {
            if (path == null || d.path().equals(path) || d.path().startsWith(path + "/")) {
                // Forget the hash so the content is extracted and chunked again (vectors still come from the cache).
                store.forgetHash(name, d.workspace(), d.path());
                store.queue(name, d.workspace(), d.path(), d.etag());
                n++;
            }
        }
        reconcile(b);
        return n;
    }

    // --- workers

    /** Claims and processes queued documents until none are left; one drain at a time on this node. */
    public int drain() {
        synchronized (draining) {
            int done = 0;
            while (true) {
                List<DocumentState> claimed = store.claim(owner, settings.lease(), settings.claimBatch(),
                        settings.maxAttempts());
                if (claimed.isEmpty()) {
                    return done;
                }
                List<Future<Result>> running = new ArrayList<>();
                for (DocumentState d : claimed) {
                    running.add(pool.submit(() -> process(d)));
                }
                for (Future<Result> f : running) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return done;
                    } catch (ExecutionException e) {
                        log.warn("A knowledge worker failed", e.getCause());
                    }
                    done++;
                }
            }
        }
    }

    Result process(DocumentState d) {
        IngestJob job = new IngestJob(d.base(), d.workspace(), d.path(), d, owner);
        try {
            runner.apply(job);
            long covered = Pipeline.covered(job.extracted.text(), job.chunks);
            store.finish(d, owner, DocumentState.INDEXED, null, job.contentHash, job.extracted.mimeType(),
                    job.extracted.text().length(), covered, job.chunks.size());
            return new Result(DocumentState.INDEXED, null, job.embedded);
        } catch (Pipeline.Outcome o) {
            return ended(d, job, o);
        } catch (RuntimeException | LinkageError e) {
            Pipeline.Outcome o = unwrap(e);
            if (o != null) {
                return ended(d, job, o);
            }
            log.warn("Ingesting {}:{} into {} failed", d.workspace(), d.path(), d.base(), e);
            Throwable cause = e;
            while (cause.getCause() != null && cause.getClass().getName().startsWith("org.apache.camel")) {
                cause = cause.getCause(); // the route wraps what a step threw
            }
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            store.finish(d, owner, DocumentState.FAILED, reason, null, null, 0, 0, 0);
            return new Result(DocumentState.FAILED, reason, job.embedded);
        }
    }

    private static Pipeline.Outcome unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Pipeline.Outcome o) {
                return o;
            }
        }
        return null;
    }

    private Result ended(DocumentState d, IngestJob job, Pipeline.Outcome o) {
        if (o.gone) {
            long seq = store.deleteDocument(d.base(), d.workspace(), d.path());
            base(d.base()).ifPresent(b -> b.index().apply(seq, d.workspace(), d.path(), List.of()));
            return new Result("removed", o.getMessage(), job.embedded);
        }
        if (o.status.equals(Pipeline.LOST)) {
            return new Result(Pipeline.LOST, o.getMessage(), job.embedded);
        }
        if (o.status.equals(DocumentState.INDEXED)) { // unchanged
            DocumentState p = job.previous;
            store.finish(d, owner, DocumentState.INDEXED, null, p.contentHash(), p.mimeType(), p.extractedChars(),
                    p.chunkedChars(), p.chunkCount());
            return new Result(DocumentState.INDEXED, "unchanged", 0);
        }
        // Failed or skipped: its old chunks leave search (here and, through the feed, on every node), then the state.
        long seq;
        try {
            seq = store.replaceChunks(d.base(), d.workspace(), d.path(), owner, null, List.of());
        } catch (KnowledgeStore.LeaseLost lost) {
            return new Result(Pipeline.LOST, o.getMessage(), job.embedded);
        }
        base(d.base()).ifPresent(b -> b.index().apply(seq, d.workspace(), d.path(), List.of()));
        store.finish(d, owner, o.status, o.getMessage(), job.contentHash, null, 0, 0, 0);
        return new Result(o.status, o.getMessage(), job.embedded);
    }

    // --- search and status

    public List<SearchHit> search(String query, String baseName, int k, SearchFilters filters, LuceneIndex.Mode mode) {
        if (query == null || query.isBlank()) {
            throw new KnowledgeBaseException("query must not be empty");
        }
        if (k < 1 || k > 100) {
            throw new KnowledgeBaseException("k must be between 1 and 100, not " + k);
        }
        List<Base> targets;
        if (baseName == null || baseName.isBlank()) {
            targets = bases();
        } else {
            Base b = bases.get(baseName);
            if (b == null) {
                throw new KnowledgeBaseException("no knowledge base named " + baseName + " (known: "
                        + String.join(", ", bases().stream().map(x -> x.definition().name()).toList()) + ")");
            }
            targets = List.of(b);
        }
        float[] vector = mode == LuceneIndex.Mode.TEXT ? null : embedQuery(query);
        List<SearchHit> hits = new ArrayList<>();
        for (Base b : targets) {
            hits.addAll(b.index().search(b.definition().name(), query, vector, k, filters, mode));
        }
        hits.sort(Comparator.comparingDouble(SearchHit::score).reversed());
        return hits.subList(0, Math.min(k, hits.size()));
    }

    public float[] embedQuery(String query) {
        return model.embedAll(List.of(QUERY_PREFIX + query)).get(0);
    }

    public Map<String, Integer> counts(String base) {
        return store.counts(base);
    }

    /** Documents of every base in {@code status} (one of DocumentState's), across all nodes. */
    public int documentsIn(String status) {
        return store.count(status);
    }

    public Optional<DocumentState> lastFailure(String base) {
        return store.lastFailure(base);
    }

    public List<DocumentState> documents(String base) {
        return store.documents(base);
    }

    public Optional<DocumentState> document(String base, String workspace, String path) {
        return store.document(base, workspace, path);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (String name : List.copyOf(bases.keySet())) {
            close(name, false);
        }
    }
}
