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

    /**
     * One model's part of a base: the model, chunkers sized to its window ({@code parents}: the parent passages'
     * chunker in parent-child mode, else null) and the index of its vectors; {@code number} names the index directory.
     */
    public record Generation(EmbeddingSpec spec, KnowledgeBase.Chunking chunking, EmbeddingModel model,
                             Chunker chunker, Chunker parents, LuceneIndex index, long number) {
    }

    /**
     * A base in use: its declaration, the generation search is served from and, while its model is being changed,
     * the one being filled ({@code next}, else null); {@code origin} is "file" or "api".
     */
    public record Base(KnowledgeBase definition, Generation serving, Generation next, String origin) {
        /** The index search uses. */
        public LuceneIndex index() {
            return serving.index();
        }

        /** The generations documents are written to, newest first. */
        public List<Generation> live() {
            return next == null ? List.of(serving) : List.of(next, serving);
        }
    }

    /** How a document's run ended, for tests and the log. */
    public record Result(String status, String reason, int embedded) {
    }

    public record Settings(Path indexDir, int workers, Duration lease, int maxAttempts, int claimBatch) {
    }

    private final Workspaces workspaces;
    private final KnowledgeStore store;
    private final GenerationStore generations;
    private final EmbeddingModels models;
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
    /** Asks this node's workers to drain soon (documents were queued outside the change feed). */
    private volatile Runnable wake = () -> { };

    public KnowledgeService(Workspaces workspaces, KnowledgeStore store, EmbeddingModel model, Extractor extractor,
                            Settings settings) {
        this(workspaces, store, new EmbeddingModels(model, System::getenv), extractor, settings);
    }

    public KnowledgeService(Workspaces workspaces, KnowledgeStore store, EmbeddingModels models, Extractor extractor,
                            Settings settings) {
        this.workspaces = workspaces;
        this.store = store;
        this.generations = store.generations();
        this.models = models;
        this.parser = new KnowledgeBaseParser(models);
        this.settings = settings;
        this.pipeline = new Pipeline(workspaces, extractor, store, this::base, job ->
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

    /** The in-process model (the default). */
    public EmbeddingModel model() {
        return models.inProcess();
    }

    public KnowledgeBaseParser parser() {
        return parser;
    }

    /** Called when documents were queued by a declaration, a reindex or a model change: start the workers. */
    public void useWake(Runnable wake) {
        this.wake = wake == null ? () -> { } : wake;
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
                for (Generation g : b.live()) {
                    g.index().clear();
                    g.index().close();
                }
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
        wake.run();
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
        GenerationStore.Declared declared = generations.declare(kb.name(), kb.embeddingModel(), spec(kb));
        Base b = assemble(kb, origin, declared.state(), old);
        bases.put(kb.name(), b);
        drop(old, b);
        if (declared.started()) {
            // The new model's index fills while the old one serves search; every document is embedded again.
            log.info("Knowledge base {}: changing its model from {} to {}; search stays on {} until every document "
                    + "is embedded", kb.name(), b.serving().model().id(), kb.embeddingModel(),
                    b.serving().model().id());
            for (DocumentState d : store.documents(kb.name())) {
                store.queue(kb.name(), d.workspace(), d.path(), d.etag());
            }
            wake.run();
        } else if (old != null && old.serving().model().id().equals(b.serving().model().id())
                && !old.serving().chunking().equals(b.serving().chunking())) {
            reindex(kb.name(), null);
        }
        return b;
    }

    /**
     * The base's generations as the database has them: each reuses the index this node already has for it (following
     * what it missed), else opens one and builds it from the database before search is given it.
     */
    private Base assemble(KnowledgeBase kb, String origin, GenerationStore.State state, Base old) {
        Generation serving = generation(kb, state.active(), old);
        Generation next = state.target() == null ? null : generation(kb, state.target(), old);
        Base b = new Base(kb, serving, next, origin);
        for (Generation g : b.live()) {
            follower.follow(kb.name(), g.model().id(), g.index());
        }
        return b;
    }

    private Generation generation(KnowledgeBase kb, GenerationStore.Row row, Base old) {
        KnowledgeBase shape = row.model().equals(kb.embeddingModel()) ? kb : fromSpec(kb.name(), row.spec());
        EmbeddingModel model = models.model(shape.embedding());
        LuceneIndex index = null;
        if (old != null) {
            for (Generation g : old.live()) {
                if (g.number() == row.number() && g.model().id().equals(model.id())) {
                    index = g.index();
                }
            }
        }
        if (index == null) {
            index = new LuceneIndex(indexDir(kb.name(), row.number()));
        }
        KnowledgeBase.Chunking c = shape.chunking();
        return new Generation(shape.embedding(), c, model, new Chunker(model, c.size(), c.overlap()),
                c.parentChild() ? new Chunker(model, c.parentSize(), 0) : null, index, row.number());
    }

    /** The first generation's index stays where indexes were before there were generations. */
    private Path indexDir(String base, long number) {
        return settings.indexDir().resolve(number == 0 ? base : base + "@" + number);
    }

    /** Closes (and deletes) the indexes of {@code old} that {@code now} no longer uses. */
    private void drop(Base old, Base now) {
        if (old == null) {
            return;
        }
        for (Generation g : old.live()) {
            if (now == null || now.live().stream().noneMatch(n -> n.index() == g.index())) {
                g.index().clear();
                g.index().close();
                deleteDirectory(indexDir(old.definition().name(), g.number()));
            }
        }
    }

    private static void deleteDirectory(Path dir) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            log.warn("Could not delete the unused knowledge index {}: {}", dir.getFileName(), e.getMessage());
        }
    }

    /** What a generation needs to be made again on any node: its embedding and chunking, as declared. */
    private String spec(KnowledgeBase kb) {
        KnowledgeBase.Chunking c = kb.chunking();
        Map<String, Object> chunking = new java.util.LinkedHashMap<>();
        chunking.put("mode", c.mode());
        chunking.put("size", c.size());
        chunking.put("overlap", c.overlap());
        if (c.parentChild()) {
            chunking.put("parentSize", c.parentSize());
        }
        try {
            return json.writeValueAsString(Map.of("embedding", kb.embedding().toMap(), "chunking", chunking));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private KnowledgeBase fromSpec(String name, String spec) {
        try {
            Map<?, ?> m = json.readValue(spec, Map.class);
            return parser.parse(Map.of("name", name, "sources", List.of(Map.of("workspace", "-")),
                    "embedding", m.get("embedding"), "chunking", m.get("chunking")));
        } catch (JsonProcessingException e) {
            throw new KnowledgeBaseException(name + ": the stored generation cannot be read: " + e.getOriginalMessage());
        }
    }

    /**
     * Applies the generations another node changed (a model change begun, completed or abandoned): the new serving
     * index is brought up to the database before search is given it.
     */
    private synchronized void syncGenerations() {
        for (Base b : List.copyOf(bases.values())) {
            String name = b.definition().name();
            GenerationStore.State state = generations.state(name);
            if (state.active() == null || bases.get(name) != b) {
                continue;
            }
            boolean same = state.active().number() == b.serving().number()
                    && state.active().model().equals(b.serving().model().id())
                    && (state.target() == null ? b.next() == null : b.next() != null
                    && state.target().number() == b.next().number());
            if (!same) {
                Base now = assemble(b.definition(), b.origin(), state, b);
                bases.put(name, now);
                drop(b, now);
                if (b.serving().index() != now.serving().index()) {
                    log.info("Knowledge base {}: search now uses {}", name, now.serving().model().id());
                }
            }
        }
    }

    /**
     * Ends each model change whose new index is complete: every document settled and embedded with the new model
     * (none failed with it while the old one still serves it). Documents a node indexed without the new model (it had
     * not seen the change yet) are queued again first. Any node may do it; the database lets one.
     */
    public void completeModelChanges() {
        for (Base b : bases()) {
            if (b.next() == null) {
                continue;
            }
            String name = b.definition().name();
            String target = b.next().model().id();
            try {
                GenerationStore.Progress p = generations.progress(name, b.serving().model().id(), target);
                if (p.strays() > 0) {
                    for (String[] doc : generations.strays(name, target)) {
                        store.queue(name, doc[0], doc[1], null);
                    }
                } else if (p.working() == 0 && p.blocked() == 0 && generations.complete(name, target)) {
                    log.info("Knowledge base {}: every document is embedded with {}; search uses it now", name,
                            target);
                    syncGenerations();
                }
            } catch (RuntimeException e) {
                log.warn("Checking the model change of knowledge base {} failed: {}", name, e.getMessage());
            }
        }
    }

    /** A model change under way, or empty. */
    public Optional<GenerationStore.Progress> modelChange(Base b) {
        return b.next() == null ? Optional.empty() : Optional.of(generations.progress(b.definition().name(),
                b.serving().model().id(), b.next().model().id()));
    }

    /**
     * Brings every base's index up to the database's change feed (the changes other nodes made); a new or lost index
     * is built from the tables, without embedding anything. Returns the number of changes applied.
     */
    public int follow() {
        try {
            syncGenerations();
        } catch (RuntimeException e) {
            log.warn("Reading the knowledge bases' generations failed: {}", e.getMessage());
        }
        int n = 0;
        for (Base b : bases()) {
            try {
                for (Generation g : b.live()) {
                    n += follower.follow(b.definition().name(), g.model().id(), g.index());
                }
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
            drop(b, null);
        } else {
            b.live().forEach(g -> g.index().close());
        }
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
        b.live().forEach(g -> g.index().apply(seq, d.workspace(), d.path(), List.of()));
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
        wake.run();
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
                    if (done > 0) {
                        completeModelChanges();
                    }
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
            long covered = Pipeline.covered(job.extracted.text(), job.chunks());
            store.finish(d, owner, DocumentState.INDEXED, null, job.contentHash, job.extracted.mimeType(),
                    job.extracted.text().length(), covered, job.chunks().size());
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
            base(d.base()).ifPresent(b -> b.live().forEach(g -> g.index().apply(seq, d.workspace(), d.path(),
                    List.of())));
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
        // Failed or skipped: its out-of-date chunks leave search (here and, through the feed, on every node), then the
        // state. A generation whose chunks are still those of this content keeps them.
        Optional<Base> base = base(d.base());
        List<Generation> stale = job.outputs != null ? job.outputs.stream().map(out -> out.generation).toList()
                : base.map(Base::live).orElse(List.of());
        for (Generation g : stale) {
            long seq;
            try {
                seq = store.replaceChunks(d.base(), d.workspace(), d.path(), owner, null, g.model().id(), List.of());
            } catch (KnowledgeStore.LeaseLost lost) {
                return new Result(Pipeline.LOST, o.getMessage(), job.embedded);
            }
            g.index().apply(seq, d.workspace(), d.path(), List.of());
        }
        if (stale.isEmpty()) {
            try {
                store.replaceChunks(d.base(), d.workspace(), d.path(), owner, null, List.of());
            } catch (KnowledgeStore.LeaseLost lost) {
                return new Result(Pipeline.LOST, o.getMessage(), job.embedded);
            }
        }
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
        // Each base is searched in its serving generation with a query vector of that generation's model.
        Map<String, float[]> vectors = new HashMap<>();
        List<SearchHit> hits = new ArrayList<>();
        for (Base b : targets) {
            Generation g = b.serving();
            float[] vector = mode == LuceneIndex.Mode.TEXT ? null : vectors.computeIfAbsent(g.model().id(),
                    id -> embedQuery(g.model(), query));
            try {
                hits.addAll(g.index().search(b.definition().name(), query, vector, k, filters, mode));
            } catch (org.apache.lucene.store.AlreadyClosedException swapped) {
                // The base swapped to its new model meanwhile: search that one (with its own model's vector).
                Base now = bases.get(b.definition().name());
                if (now == null) {
                    continue;
                }
                float[] v = mode == LuceneIndex.Mode.TEXT ? null : embedQuery(now.serving().model(), query);
                hits.addAll(now.index().search(b.definition().name(), query, v, k, filters, mode));
            }
        }
        hits.sort(Comparator.comparingDouble(SearchHit::score).reversed());
        return hits.subList(0, Math.min(k, hits.size()));
    }

    /** The in-process model's vector of a query. */
    public float[] embedQuery(String query) {
        return models.inProcess().embedQuery(query);
    }

    private static float[] embedQuery(EmbeddingModel model, String query) {
        try {
            return model.embedQuery(query);
        } catch (EmbeddingException e) {
            throw new KnowledgeBaseException("the query could not be embedded: " + e.getMessage());
        }
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
