package dev.caravan.knowledge;

import dev.caravan.store.SqlTime;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The table of each base's generations: the model search is served from ({@code active}) and, while the model is
 * being changed, the one being embedded into ({@code target}). The database decides for every node, so all of them
 * serve the same model and swap when one of them finds the target complete.
 */
final class GenerationStore {
    static final String ACTIVE = "active";
    static final String TARGET = "target";

    /** One generation: its model id, its spec (embedding and chunking, JSON), its number (names its index). */
    record Row(String model, String spec, long number, Instant startedAt) {
    }

    record State(Row active, Row target) {
    }

    /** The state after a declaration; {@code started}: this call began a model change (queue every document). */
    record Declared(State state, boolean started) {
    }

    /** A model change's progress over the base's documents. */
    record Progress(int documents, int embedded, int working, int blocked, int strays) {
    }

    private static final RowMapper<Row> ROW = (rs, i) -> new Row(rs.getString("model"), rs.getString("spec"),
            rs.getLong("generation"), SqlTime.instant(rs, "started_at"));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    GenerationStore(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    State state(String base) {
        return new State(row(base, ACTIVE), row(base, TARGET));
    }

    private Row row(String base, String role) {
        return jdbc.query("select model, spec, generation, started_at from knowledge_generation where base = ? and "
                + "role = ?", ROW, base, role).stream().findFirst().orElse(null);
    }

    /**
     * Records the declared model: the first declaration makes it the active generation; a declaration of the active
     * model ends a change under way (its target's chunks go); another model becomes the target (replacing an earlier
     * target) unless it already is. Two nodes declaring at once: the second finds the first's rows.
     */
    Declared declare(String base, String model, String spec) {
        try {
            return tx.execute(s -> declareOnce(base, model, spec));
        } catch (DuplicateKeyException raced) {
            return tx.execute(s -> declareOnce(base, model, spec));
        }
    }

    private Declared declareOnce(String base, String model, String spec) {
        Instant now = clock.instant();
        Row active = row(base, ACTIVE);
        Row target = row(base, TARGET);
        if (active == null) {
            insert(base, ACTIVE, model, spec, 0, now);
            // Chunks of another model (stamped before this table existed) would never be served: re-embed them.
            Integer others = jdbc.queryForObject("select count(*) from knowledge_chunk where base = ? and model <> ?",
                    Integer.class, base, model);
            jdbc.update("delete from knowledge_chunk where base = ? and model <> ?", base, model);
            return new Declared(state(base), others != null && others > 0);
        }
        if (active.model().equals(model)) {
            if (!active.spec().equals(spec)) {
                jdbc.update("update knowledge_generation set spec = ? where base = ? and role = ?", spec, base, ACTIVE);
            }
            if (target != null) {
                dropTarget(base, target, model);
            }
            return new Declared(state(base), false);
        }
        if (target != null && target.model().equals(model)) {
            if (!target.spec().equals(spec)) {
                jdbc.update("update knowledge_generation set spec = ? where base = ? and role = ?", spec, base, TARGET);
            }
            return new Declared(state(base), false);
        }
        if (target != null) {
            dropTarget(base, target, active.model());
        }
        // Chunks of this model left from an earlier generation (a worker that had not seen a swap) are not trusted.
        jdbc.update("delete from knowledge_chunk where base = ? and model = ?", base, model);
        // A new number each time, so no node can mistake an index left from an earlier change for this one's.
        insert(base, TARGET, model, spec, Math.max(now.toEpochMilli(), active.number() + 1), now);
        return new Declared(state(base), true);
    }

    private void dropTarget(String base, Row target, String keep) {
        jdbc.update("delete from knowledge_generation where base = ? and role = ?", base, TARGET);
        if (!target.model().equals(keep)) {
            jdbc.update("delete from knowledge_chunk where base = ? and model = ?", base, target.model());
        }
    }

    private void insert(String base, String role, String model, String spec, long number, Instant now) {
        jdbc.update("insert into knowledge_generation (base, role, model, spec, generation, started_at) values "
                + "(?, ?, ?, ?, ?, ?)", base, role, model, spec, number, SqlTime.time(now));
    }

    Progress progress(String base, String active, String target) {
        String has = "exists (select 1 from knowledge_chunk c where c.base = d.base and c.workspace = d.workspace and "
                + "c.path = d.path and c.model = ?)";
        return new Progress(
                count("select count(*) from knowledge_document d where d.base = ?", base),
                count("select count(*) from knowledge_document d where d.base = ? and " + has, base, target),
                count("select count(*) from knowledge_document d where d.base = ? and d.status in ('queued', "
                        + "'extracting', 'embedding')", base),
                // Failed with the new model while the old one still serves it: the change waits (reindex retries).
                count("select count(*) from knowledge_document d where d.base = ? and d.status = 'failed' and " + has
                        + " and not " + has, base, active, target),
                // Indexed by a node that did not know of the change yet: queued again.
                count("select count(*) from knowledge_document d where d.base = ? and d.status = 'indexed' and not "
                        + has, base, target));
    }

    /** Documents indexed without chunks of the target model (a node had not seen the change yet). */
    List<String[]> strays(String base, String target) {
        return jdbc.query("select workspace, path from knowledge_document d where d.base = ? and d.status = 'indexed' "
                + "and not exists (select 1 from knowledge_chunk c where c.base = d.base and c.workspace = d.workspace "
                + "and c.path = d.path and c.model = ?)", (rs, i) -> new String[] {rs.getString(1), rs.getString(2)},
                base, target);
    }

    /**
     * Makes the target the active generation and forgets the old model's chunks (its vectors stay in the embedding
     * cache: changing back costs nothing). False when another node did it first or the change was replaced.
     */
    boolean complete(String base, String target) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            Row t = row(base, TARGET);
            if (t == null || !t.model().equals(target) || jdbc.update("delete from knowledge_generation where base = ? "
                    + "and role = ? and model = ?", base, TARGET, target) != 1) {
                return false;
            }
            jdbc.update("update knowledge_generation set model = ?, spec = ?, generation = ?, started_at = ? where "
                    + "base = ? and role = ?", t.model(), t.spec(), t.number(), SqlTime.time(t.startedAt()), base,
                    ACTIVE);
            jdbc.update("delete from knowledge_chunk where base = ? and model <> ?", base, target);
            return true;
        }));
    }

    private int count(String sql, Object... args) {
        Integer n = jdbc.queryForObject(sql, Integer.class, args);
        return n == null ? 0 : n;
    }
}
