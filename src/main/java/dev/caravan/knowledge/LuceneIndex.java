package dev.caravan.knowledge;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One knowledge base's search index: embedded Lucene on disk, HNSW vectors and BM25 full text in the same
 * documents (one per chunk), searched by either or both fused by reciprocal rank. The database holds the chunks and
 * their vectors, so this index is a copy that follows them: {@link #applied()} is the number of the last change of the
 * database's feed it holds (kept in the Lucene commit, so it survives a restart with the index it describes), and
 * {@link IndexFollower} brings it up to date. Callers that read the database and then write here hold this
 * object's monitor across both, so that an older read cannot overwrite a newer write.
 */
public final class LuceneIndex implements AutoCloseable {
    public enum Mode { HYBRID, VECTOR, TEXT }

    /** The usual RRF constant: ranks matter, raw scores of the two kinds are not comparable. */
    private static final int RRF_K = 60;
    /** Candidates taken from each kind before fusion: per hit asked for, and at least. */
    static final int DEPTH_PER_HIT = 4;
    static final int MIN_DEPTH = 50;

    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final StandardAnalyzer analyzer = new StandardAnalyzer();
    /** The feed's last change this index holds; -1 for an index never filled from the database. */
    private long applied;
    private long committed;
    /** Written since the last commit. */
    private boolean dirty;

    public LuceneIndex(Path dir) {
        try {
            Files.createDirectories(dir);
            this.directory = FSDirectory.open(dir);
            this.writer = new IndexWriter(directory, new IndexWriterConfig(analyzer)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
            this.searchers = new SearcherManager(writer, null);
            long seq = -1;
            Iterable<Map.Entry<String, String>> data = writer.getLiveCommitData();
            if (data != null) {
                for (Map.Entry<String, String> e : data) {
                    if (e.getKey().equals(SEQ)) {
                        seq = Long.parseLong(e.getValue());
                    }
                }
            }
            this.applied = seq;
            this.committed = seq;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the knowledge index at " + dir, e);
        }
    }

    private static final String SEQ = "caravan.feed.seq";

    /** The number of the feed's last change this index holds; -1 when it was never filled from the database. */
    public synchronized long applied() {
        return applied;
    }

    /**
     * A change this node just made (feed number {@code seq}), searchable at once rather than at the next follow. An
     * older change than the index holds is ignored: the index already has what came after it. Not committed here:
     * the database has it, and the next follow commits (a commit syncs files to disk, too slow for every document);
     * after a crash the index reopens at its last commit, whose number says where to replay the feed from.
     */
    public synchronized boolean apply(long seq, String workspace, String path, Collection<IndexedChunk> chunks) {
        if (seq <= applied) {
            return false;
        }
        write(workspace, path, chunks);
        if (seq == applied + 1) {
            applied = seq;
        }
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot refresh the knowledge index", e);
        }
        return true;
    }

    /** Replaces a document's chunks without committing (the follower commits a batch with {@link #commit(long, boolean)}). */
    synchronized void write(String workspace, String path, Collection<IndexedChunk> chunks) {
        replaceDocuments(workspace, path, chunks);
        dirty = true;
    }

    /** Removes everything without committing (a rebuild, or the base was removed). */
    synchronized void deleteAll() {
        try {
            writer.deleteAll();
            dirty = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the knowledge index", e);
        }
    }

    /**
     * Marks the index as holding the feed up to {@code seq}; commits when something was written or the mark moved
     * far (an idle base follows every second without writing a commit every second).
     */
    synchronized void commit(long seq, boolean wrote) {
        applied = Math.max(applied, seq);
        if (wrote || dirty || applied - committed > 1000) {
            commit();
        }
    }

    /** Replaces every chunk of the document with these (none: the document is gone from search), outside the feed. */
    public synchronized void replace(String workspace, String path, Collection<IndexedChunk> chunks) {
        replaceDocuments(workspace, path, chunks);
        commit();
    }

    private void commit() {
        try {
            writer.setLiveCommitData(Map.of(SEQ, Long.toString(applied)).entrySet());
            writer.commit();
            committed = applied;
            dirty = false;
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the knowledge index", e);
        }
    }

    private void replaceDocuments(String workspace, String path, Collection<IndexedChunk> chunks) {
        try {
            writer.deleteDocuments(new Term("doc", docKey(workspace, path)));
            for (IndexedChunk c : chunks) {
                Document d = new Document();
                d.add(new StringField("id", c.chunkId(), Field.Store.YES));
                d.add(new StringField("doc", docKey(workspace, path), Field.Store.NO));
                d.add(new StringField("workspace", workspace, Field.Store.YES));
                d.add(new StringField("path", path, Field.Store.YES));
                d.add(new StringField("mime", c.mimeType(), Field.Store.YES));
                d.add(new StoredField("page", c.page()));
                if (c.heading() != null) {
                    d.add(new StoredField("heading", c.heading()));
                    d.add(new TextField("body", c.heading(), Field.Store.NO));
                }
                d.add(new TextField("body", c.text(), Field.Store.NO));
                d.add(new StoredField("text", c.text()));
                if (c.context() != null) {
                    d.add(new StoredField("context", c.context()));
                }
                d.add(new KnnFloatVectorField("vector", c.vector(), VectorSimilarityFunction.DOT_PRODUCT));
                writer.addDocument(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the knowledge index", e);
        }
    }

    public synchronized void clear() {
        deleteAll();
        commit();
    }

    public int size() {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return s.getIndexReader().numDocs();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the writer's background merges are done and the searcher sees the result (the bench measures then). */
    void awaitMerges() throws InterruptedException {
        while (writer.hasPendingMerges() || !writer.getMergingSegments().isEmpty()) {
            Thread.sleep(100);
        }
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Segments in the searchable view (each is searched on its own, its own HNSW graph). */
    int segments() {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return s.getIndexReader().leaves().size();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code vector} may be null for {@link Mode#TEXT}. */
    public List<SearchHit> search(String base, String query, float[] vector, int k, SearchFilters filters, Mode mode) {
        int depth = Math.max(k * DEPTH_PER_HIT, MIN_DEPTH);
        try {
            IndexSearcher s = searchers.acquire();
            try {
                Query filter = filter(filters);
                Map<Integer, Double> fused = new HashMap<>();
                if (mode != Mode.TEXT) {
                    ScoreDoc[] v = s.search(new KnnFloatVectorQuery("vector", vector, depth, filter), depth).scoreDocs;
                    rank(v, fused, mode == Mode.VECTOR);
                }
                if (mode != Mode.VECTOR) {
                    Query text = textQuery(query);
                    if (text != null) {
                        Query q = filter == null ? text : new BooleanQuery.Builder()
                                .add(text, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
                        rank(s.search(q, depth).scoreDocs, fused, mode == Mode.TEXT);
                    }
                }
                List<Map.Entry<Integer, Double>> best = new ArrayList<>(fused.entrySet());
                best.sort(Map.Entry.<Integer, Double>comparingByValue().reversed());
                List<SearchHit> hits = new ArrayList<>();
                java.util.Set<String> parents = new java.util.HashSet<>();
                StoredFields stored = s.storedFields();
                for (Map.Entry<Integer, Double> e : best) {
                    if (hits.size() == k) {
                        break;
                    }
                    Document d = stored.document(e.getKey());
                    String context = d.get("context");
                    // Parent-child: several small chunks of one parent matched; the parent is returned once.
                    if (context != null && !parents.add(d.get("workspace") + "\u0000" + d.get("path") + "\u0000"
                            + context)) {
                        continue;
                    }
                    hits.add(new SearchHit(d.get("id"), base, d.get("workspace"), d.get("path"), d.get("mime"),
                            d.getField("page").numericValue().intValue(), d.get("heading"),
                            context != null ? context : d.get("text"), e.getValue(),
                            context != null ? d.get("text") : null));
                }
                return hits;
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("knowledge search failed", e);
        }
    }

    /** Rank fusion; a single kind keeps its own score so that the order is the kind's own. */
    private static void rank(ScoreDoc[] docs, Map<Integer, Double> fused, boolean rawScore) {
        for (int i = 0; i < docs.length; i++) {
            double add = rawScore ? docs[i].score : 1.0 / (RRF_K + i + 1);
            fused.merge(docs[i].doc, add, Double::sum);
        }
    }

    private Query textQuery(String query) {
        String escaped = QueryParser.escape(query == null ? "" : query);
        if (escaped.isBlank()) {
            return null;
        }
        try {
            QueryParser parser = new QueryParser("body", analyzer);
            Query q = parser.parse(escaped);
            return q instanceof BooleanQuery b && b.clauses().isEmpty() ? null : q;
        } catch (ParseException | IndexSearcher.TooManyClauses e) {
            return null;
        }
    }

    /**
     * The filters as one Lucene query, applied inside both searches (HNSW skips what it excludes, so k results still
     * come back); null without filters, so that the vector search needs no per-segment bit set of the matches.
     */
    private static Query filter(SearchFilters f) {
        if (f.workspace() == null && (f.pathPrefix() == null || f.pathPrefix().isEmpty()) && f.mimeType() == null) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (f.workspace() != null) {
            b.add(new TermQuery(new Term("workspace", f.workspace())), BooleanClause.Occur.FILTER);
        }
        if (f.pathPrefix() != null && !f.pathPrefix().isEmpty()) {
            b.add(new PrefixQuery(new Term("path", f.pathPrefix())), BooleanClause.Occur.FILTER);
        }
        if (f.mimeType() != null) {
            b.add(new TermQuery(new Term("mime", f.mimeType())), BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    private static String docKey(String workspace, String path) {
        return workspace + "\u0000" + path;
    }

    @Override
    public synchronized void close() {
        try {
            if (dirty || applied != committed) {
                commit();
            }
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
