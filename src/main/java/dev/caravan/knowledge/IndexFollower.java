package dev.caravan.knowledge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps one node's index of a base in step with the database: applies the feed's changes after the index's last
 * one (re-reading each changed document's chunks and vectors: the rows are the truth, the change only says where to
 * look), and rebuilds the index from the tables when it is new, was never filled, or is further behind than the
 * feed reaches back. Nothing is embedded: the vectors are in the database. Holds the index's monitor while it reads
 * and writes, so a change this node applies at once ({@link LuceneIndex#apply}) is never overwritten by an older read.
 */
final class IndexFollower {
    private static final Logger log = LoggerFactory.getLogger(IndexFollower.class);
    private static final int BATCH = 500;

    private final KnowledgeStore store;

    IndexFollower(KnowledgeStore store) {
        this.store = store;
    }

    /**
     * Brings the index of one model's vectors up to the feed; returns the number of changes applied (or documents,
     * for a rebuild). A change names a document; each index reads that document's chunks of its own model.
     */
    int follow(String base, String model, LuceneIndex index) {
        synchronized (index) {
            long applied = index.applied();
            if (applied < 0 || applied + 1 < store.firstRetained()) {
                return rebuild(base, model, index, applied);
            }
            // Read first: every change up to it has committed, so none can appear later below it.
            long last = store.lastSequence();
            int n = 0;
            while (true) {
                List<KnowledgeStore.Change> changes = store.changes(base, applied, last, BATCH);
                if (changes.isEmpty()) {
                    index.commit(last, n > 0);
                    return n;
                }
                // The last change of each document is enough: its rows are read as they are now.
                Map<String, KnowledgeStore.Change> latest = new LinkedHashMap<>();
                boolean cleared = false;
                for (KnowledgeStore.Change c : changes) {
                    if (c.kind().equals(KnowledgeStore.Change.CLEAR)) {
                        latest.clear();
                        cleared = true;
                    } else {
                        latest.remove(c.workspace() + "\u0000" + c.path());
                        latest.put(c.workspace() + "\u0000" + c.path(), c);
                    }
                }
                if (cleared) {
                    index.deleteAll();
                }
                for (KnowledgeStore.Change c : latest.values()) {
                    index.write(c.workspace(), c.path(), c.kind().equals(KnowledgeStore.Change.DELETE) ? List.of()
                            : store.indexedChunks(base, c.workspace(), c.path(), model));
                }
                n += changes.size();
                applied = changes.get(changes.size() - 1).seq();
                index.commit(applied, true);
                if (changes.size() < BATCH) {
                    index.commit(last, false);
                    return n;
                }
            }
        }
    }

    private int rebuild(String base, String model, LuceneIndex index, long applied) {
        long last = store.lastSequence();
        index.deleteAll();
        int docs = 0;
        int chunks = 0;
        for (String[] doc : store.documentsWithChunks(base, model)) {
            List<IndexedChunk> indexed = store.indexedChunks(base, doc[0], doc[1], model);
            index.write(doc[0], doc[1], indexed);
            docs++;
            chunks += indexed.size();
        }
        index.commit(last, true);
        if (docs > 0 || applied >= 0) {
            log.info("Built the {} index of knowledge base {} from the database: {} documents, {} chunks (feed at {})",
                    model, base, docs, chunks, last);
        }
        // Changes made while it was read are applied by the next follow (they are numbered after last).
        return docs;
    }
}
