package dev.caravan.knowledge;

import dev.caravan.store.SqlTime;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The knowledge tables: declared bases, document states with their leases, chunks, the embedding cache, and the
 * change feed every node's index follows. Every state change of a claimed document names its lease owner, so a
 * worker that lost its lease (it stalled, another took over, the file changed and was queued again) cannot
 * overwrite the newer state. Every change of chunks records a numbered change in the same transaction.
 */
public class KnowledgeStore {
    /** A change of the feed: {@code kind} is upsert (read the document's chunks again), delete or clear (the base). */
    public record Change(long seq, String base, String workspace, String path, String kind) {
        public static final String UPSERT = "upsert";
        public static final String DELETE = "delete";
        public static final String CLEAR = "clear";
    }

    /** The worker embedded for a model the base no longer uses (it had not seen a model change yet). */
    public static final class StaleGeneration extends RuntimeException {
        StaleGeneration() {
            super("the base's model changed while the document was processed", null, false, false);
        }
    }

    /** The claimed document is no longer this worker's (queued again, or another took it over). */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("the lease was lost", null, false, false);
        }
    }

    private static final String COLUMNS = "base, workspace, path, status, reason, content_hash, etag, mime_type, "
            + "extracted_chars, chunked_chars, chunk_count, attempts, queued_at, updated_at";
    private static final RowMapper<DocumentState> DOCUMENT = (rs, i) -> new DocumentState(rs.getString("base"),
            rs.getString("workspace"), rs.getString("path"), rs.getString("status"), rs.getString("reason"),
            trim(rs.getString("content_hash")), rs.getString("etag"), rs.getString("mime_type"),
            rs.getLong("extracted_chars"), rs.getLong("chunked_chars"), rs.getInt("chunk_count"),
            rs.getInt("attempts"), SqlTime.instant(rs, "queued_at"), SqlTime.instant(rs, "updated_at"));
    private static final RowMapper<StoredChunk> CHUNK = (rs, i) -> new StoredChunk(trim(rs.getString("chunk_id")),
            rs.getString("workspace"), rs.getString("path"), rs.getInt("ordinal"), trim(rs.getString("chunk_hash")),
            rs.getString("model"), rs.getInt("page"), rs.getString("heading"), rs.getInt("text_start"),
            rs.getInt("text_end"), rs.getString("content"), rs.getString("context"));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final GenerationStore generations;

    public KnowledgeStore(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.generations = new GenerationStore(jdbc, tx, clock);
    }

    /** Each base's generations (the model it serves, the one a model change fills). */
    GenerationStore generations() {
        return generations;
    }

    // --- declared bases

    public Map<String, String> bases() {
        Map<String, String> out = new LinkedHashMap<>();
        jdbc.query("select name, definition from knowledge_base order by name",
                rs -> {
                    out.put(rs.getString(1), rs.getString(2));
                });
        return out;
    }

    public void saveBase(String name, String definition) {
        if (jdbc.update("update knowledge_base set definition = ? where name = ?", definition, name) == 0) {
            jdbc.update("insert into knowledge_base (name, definition, created_at) values (?, ?, ?)", name,
                    definition, SqlTime.time(clock.instant()));
        }
    }

    public boolean deleteBase(String name) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            jdbc.update("delete from knowledge_chunk where base = ?", name);
            jdbc.update("delete from knowledge_document where base = ?", name);
            jdbc.update("delete from knowledge_generation where base = ?", name);
            record(name, null, null, Change.CLEAR);
            return jdbc.update("delete from knowledge_base where name = ?", name) > 0;
        }));
    }

    /** Forgets a base's documents and chunks (a base removed from knowledge.yaml), keeping the embedding cache. */
    public long forgetDocuments(String base) {
        return tx.execute(s -> {
            jdbc.update("delete from knowledge_chunk where base = ?", base);
            jdbc.update("delete from knowledge_document where base = ?", base);
            jdbc.update("delete from knowledge_generation where base = ?", base);
            return record(base, null, null, Change.CLEAR);
        });
    }

    // --- documents

    /** Queues the document (new or changed); a worker holding it will find its lease gone and leave it queued. */
    public void queue(String base, String workspace, String path, String etag) {
        Instant now = clock.instant();
        int updated = jdbc.update("update knowledge_document set status = 'queued', reason = null, etag = ?, "
                        + "lease_owner = null, lease_until = null, attempts = 0, queued_at = ?, updated_at = ? "
                        + "where base = ? and workspace = ? and path = ?", etag, SqlTime.time(now), SqlTime.time(now),
                base, workspace, path);
        if (updated == 0) {
            try {
                jdbc.update("insert into knowledge_document (base, workspace, path, status, etag, extracted_chars, "
                                + "chunked_chars, chunk_count, attempts, queued_at, updated_at) "
                                + "values (?, ?, ?, 'queued', ?, 0, 0, 0, 0, ?, ?)", base, workspace, path, etag,
                        SqlTime.time(now), SqlTime.time(now));
            } catch (DuplicateKeyException raced) {
                queue(base, workspace, path, etag);
            }
        }
    }

    /**
     * Claims up to {@code limit} documents: queued ones, and ones whose worker's lease ran out (it died) that have
     * attempts left. A document whose lease ran out {@code maxAttempts} times is failed with a reason instead.
     */
    public List<DocumentState> claim(String owner, Duration lease, int limit, int maxAttempts) {
        Instant now = clock.instant();
        jdbc.update("update knowledge_document set status = 'failed', reason = ?, lease_owner = null, "
                        + "lease_until = null, updated_at = ? where status in ('extracting', 'embedding') "
                        + "and lease_until < ? and attempts >= ?",
                "the worker stopped while processing it " + maxAttempts + " times (crash or out of memory?); "
                        + "reindex to try again", SqlTime.time(now), SqlTime.time(now), maxAttempts);
        List<DocumentState> candidates = jdbc.query("select " + COLUMNS + " from knowledge_document where "
                + "status = 'queued' or (status in ('extracting', 'embedding') and lease_until < ?) "
                + "order by queued_at fetch first " + (limit * 2) + " rows only", DOCUMENT, SqlTime.time(now));
        List<DocumentState> claimed = new ArrayList<>();
        for (DocumentState d : candidates) {
            if (claimed.size() == limit) {
                break;
            }
            int n = jdbc.update("update knowledge_document set status = 'extracting', lease_owner = ?, "
                            + "lease_until = ?, attempts = attempts + 1, updated_at = ? where base = ? and workspace = ? "
                            + "and path = ? and (status = 'queued' or (status in ('extracting', 'embedding') "
                            + "and lease_until < ?))", owner, SqlTime.time(now.plus(lease)), SqlTime.time(now),
                    d.base(), d.workspace(), d.path(), SqlTime.time(now));
            if (n == 1) {
                claimed.add(d);
            }
        }
        return claimed;
    }

    /** Moves a claimed document to a working state and renews its lease; false when the lease was lost. */
    public boolean progress(DocumentState d, String owner, String status, Duration lease) {
        Instant now = clock.instant();
        return jdbc.update("update knowledge_document set status = ?, lease_until = ?, updated_at = ? where base = ? "
                        + "and workspace = ? and path = ? and lease_owner = ? and status in ('extracting', 'embedding')",
                status, SqlTime.time(now.plus(lease)), SqlTime.time(now), d.base(), d.workspace(), d.path(),
                owner) == 1;
    }

    /** Ends a claimed document's work: indexed, failed or skipped with the counts; false when the lease was lost. */
    public boolean finish(DocumentState d, String owner, String status, String reason, String hash, String mime,
                          long extracted, long chunked, int chunks) {
        return jdbc.update("update knowledge_document set status = ?, reason = ?, content_hash = ?, mime_type = ?, "
                        + "extracted_chars = ?, chunked_chars = ?, chunk_count = ?, lease_owner = null, "
                        + "lease_until = null, updated_at = ? where base = ? and workspace = ? and path = ? and "
                        + "lease_owner = ? and status in ('extracting', 'embedding')", status, cut(reason), hash, mime,
                extracted, chunked, chunks, SqlTime.time(clock.instant()), d.base(), d.workspace(), d.path(),
                owner) == 1;
    }

    /** Makes the next run extract and chunk again even if the bytes did not change. */
    public void forgetHash(String base, String workspace, String path) {
        jdbc.update("update knowledge_document set content_hash = null where base = ? and workspace = ? and path = ?",
                base, workspace, path);
    }

    public Optional<DocumentState> document(String base, String workspace, String path) {
        return jdbc.query("select " + COLUMNS + " from knowledge_document where base = ? and workspace = ? and path = ?",
                DOCUMENT, base, workspace, path).stream().findFirst();
    }

    public List<DocumentState> documents(String base) {
        return jdbc.query("select " + COLUMNS + " from knowledge_document where base = ? order by workspace, path",
                DOCUMENT, base);
    }

    public Map<String, Integer> counts(String base) {
        Map<String, Integer> out = new LinkedHashMap<>();
        jdbc.query("select status, count(*) from knowledge_document where base = ? group by status order by status",
                rs -> {
                    out.put(rs.getString(1), rs.getInt(2));
                }, base);
        return out;
    }

    /** Documents of every base in one state. */
    public int count(String status) {
        Integer n = jdbc.queryForObject("select count(*) from knowledge_document where status = ?", Integer.class,
                status);
        return n == null ? 0 : n;
    }

    public Optional<DocumentState> lastFailure(String base) {
        return jdbc.query("select " + COLUMNS + " from knowledge_document where base = ? and status = 'failed' "
                + "order by updated_at desc fetch first 1 rows only", DOCUMENT, base).stream().findFirst();
    }

    /** Removes a document and its chunks (deleted, moved away, no longer covered); returns the tombstone's number. */
    public long deleteDocument(String base, String workspace, String path) {
        return tx.execute(s -> {
            jdbc.update("delete from knowledge_chunk where base = ? and workspace = ? and path = ?", base, workspace,
                    path);
            jdbc.update("delete from knowledge_document where base = ? and workspace = ? and path = ?", base,
                    workspace, path);
            return record(base, workspace, path, Change.DELETE);
        });
    }

    // --- chunks and vectors

    public List<StoredChunk> chunks(String base, String workspace, String path) {
        return jdbc.query("select * from knowledge_chunk where base = ? and workspace = ? and path = ? order by ordinal",
                CHUNK, base, workspace, path);
    }

    public List<StoredChunk> chunks(String base) {
        return jdbc.query("select * from knowledge_chunk where base = ? order by workspace, path, ordinal", CHUNK, base);
    }

    /**
     * Replaces a document's chunks and records the change; returns its number. With an {@code owner}, only while that
     * worker holds the document's lease (else {@link LeaseLost}, nothing changed); the row stays locked until commit,
     * so the file cannot be queued again in between. The MIME type is written with the chunks so that a node that
     * follows the change indexes them with it.
     */
    public long replaceChunks(String base, String workspace, String path, String owner, String mime,
                              List<StoredChunk> chunks) {
        return replaceChunks(base, workspace, path, owner, mime, null, chunks);
    }

    /**
     * The same for one model's chunks (those of the base's other generation stay); {@code model} null replaces the
     * chunks of every model.
     */
    public long replaceChunks(String base, String workspace, String path, String owner, String mime, String model,
                              List<StoredChunk> chunks) {
        return tx.execute(s -> {
            if (owner != null && jdbc.update("update knowledge_document set mime_type = ?, updated_at = ? where "
                            + "base = ? and workspace = ? and path = ? and lease_owner = ? and status in "
                            + "('extracting', 'embedding')", mime, SqlTime.time(clock.instant()), base, workspace,
                    path, owner) == 0) {
                throw new LeaseLost();
            }
            if (model != null && !chunks.isEmpty() && jdbc.queryForObject("select count(*) from knowledge_generation "
                    + "where base = ? and model = ?", Integer.class, base, model) == 0 && jdbc.queryForObject(
                    "select count(*) from knowledge_generation where base = ?", Integer.class, base) > 0) {
                throw new StaleGeneration();
            }
            if (model == null) {
                jdbc.update("delete from knowledge_chunk where base = ? and workspace = ? and path = ?", base,
                        workspace, path);
            } else {
                jdbc.update("delete from knowledge_chunk where base = ? and workspace = ? and path = ? and model = ?",
                        base, workspace, path, model);
            }
            jdbc.batchUpdate("insert into knowledge_chunk (base, chunk_id, workspace, path, ordinal, chunk_hash, model, "
                            + "page, heading, text_start, text_end, content, context) "
                            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    chunks, 500, (ps, c) -> {
                        ps.setString(1, base);
                        ps.setString(2, c.chunkId());
                        ps.setString(3, workspace);
                        ps.setString(4, path);
                        ps.setInt(5, c.ordinal());
                        ps.setString(6, c.chunkHash());
                        ps.setString(7, c.model());
                        ps.setInt(8, c.page());
                        ps.setString(9, c.heading() == null ? null : c.heading().length() > 1000
                                ? c.heading().substring(0, 1000) : c.heading());
                        ps.setInt(10, c.start());
                        ps.setInt(11, c.end());
                        ps.setString(12, c.text());
                        ps.setString(13, c.context());
                    });
            return record(base, workspace, path, Change.UPSERT);
        });
    }

    /**
     * A document's chunks of one model with their vectors, as that model's index holds them (chunks without a vector
     * are left out).
     */
    public List<IndexedChunk> indexedChunks(String base, String workspace, String path, String model) {
        return jdbc.query("select c.chunk_id, c.page, c.heading, c.content, e.vector, d.mime_type, c.context "
                + "from knowledge_chunk c join knowledge_embedding e on e.model = c.model and e.chunk_hash = c.chunk_hash "
                + "left join knowledge_document d on d.base = c.base and d.workspace = c.workspace and d.path = c.path "
                + "where c.base = ? and c.workspace = ? and c.path = ? and c.model = ? order by c.ordinal", (rs, i) ->
                new IndexedChunk(trim(rs.getString(1)), workspace, path, rs.getString(6) == null
                        ? "application/octet-stream" : rs.getString(6), rs.getInt(2), rs.getString(3),
                        rs.getString(4), decode(rs.getBytes(5)), rs.getString(7)), base, workspace, path, model);
    }

    /** The workspace and path of every document of the base that has chunks of this model. */
    public List<String[]> documentsWithChunks(String base, String model) {
        return jdbc.query("select distinct workspace, path from knowledge_chunk where base = ? and model = ? "
                        + "order by workspace, path", (rs, i) -> new String[] {rs.getString(1), rs.getString(2)}, base,
                model);
    }

    /** Whether the document has chunks of this model (a model change re-embeds those that have none yet). */
    public boolean hasChunks(String base, String workspace, String path, String model) {
        Integer n = jdbc.queryForObject("select count(*) from knowledge_chunk where base = ? and workspace = ? and "
                + "path = ? and model = ?", Integer.class, base, workspace, path, model);
        return n != null && n > 0;
    }

    // --- the change feed

    /** Takes the next number (locking the counter row until commit) and records the change; inside a transaction. */
    private long record(String base, String workspace, String path, String kind) {
        jdbc.update("update knowledge_sequence set seq = seq + 1 where id = 1");
        long seq = jdbc.queryForObject("select seq from knowledge_sequence where id = 1", Long.class);
        jdbc.update("insert into knowledge_change (seq, base, workspace, path, kind, created_at) values (?, ?, ?, ?, ?, ?)",
                seq, base, workspace, path, kind, SqlTime.time(clock.instant()));
        return seq;
    }

    /** The number of the last committed change: every change up to it is visible. */
    public long lastSequence() {
        return jdbc.queryForObject("select seq from knowledge_sequence where id = 1", Long.class);
    }

    /** The oldest change still in the feed (the number after the last one when the feed is empty). */
    public long firstRetained() {
        Long min = jdbc.queryForObject("select min(seq) from knowledge_change", Long.class);
        return min != null ? min : lastSequence() + 1;
    }

    /** The base's changes after {@code after} up to {@code upTo}, in order, at most {@code limit}. */
    public List<Change> changes(String base, long after, long upTo, int limit) {
        return jdbc.query("select seq, base, workspace, path, kind from knowledge_change where base = ? and seq > ? "
                        + "and seq <= ? order by seq fetch first " + limit + " rows only", (rs, i) -> new Change(
                        rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)),
                base, after, upTo);
    }

    /** Forgets changes older than {@code before}; a node further behind than that rebuilds its index instead. */
    public int pruneChanges(Instant before) {
        return jdbc.update("delete from knowledge_change where created_at < ?", SqlTime.time(before));
    }

    public Map<String, float[]> vectors(String model, Collection<String> hashes) {
        Map<String, float[]> out = new HashMap<>();
        List<String> all = new ArrayList<>(hashes);
        for (int i = 0; i < all.size(); i += 200) {
            List<String> part = all.subList(i, Math.min(all.size(), i + 200));
            String marks = String.join(",", Collections.nCopies(part.size(), "?"));
            List<Object> args = new ArrayList<>();
            args.add(model);
            args.addAll(part);
            jdbc.query("select chunk_hash, vector from knowledge_embedding where model = ? and chunk_hash in (" + marks
                    + ")", rs -> {
                        out.put(trim(rs.getString(1)), decode(rs.getBytes(2)));
                    }, args.toArray());
        }
        return out;
    }

    public void putVectors(String model, Map<String, float[]> vectors) {
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
            try {
                jdbc.update("insert into knowledge_embedding (model, chunk_hash, vector) values (?, ?, ?)", model,
                        e.getKey(), encode(e.getValue()));
            } catch (DuplicateKeyException alreadyThere) {
                // Same model, same text: the same vector.
            }
        }
    }

    static byte[] encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static float[] decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }

    private static String trim(String s) {
        return s == null ? null : s.strip();
    }

    private static String cut(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 497) + "...";
    }
}
