package dev.caravan.workspace.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records workspace operations without slowing them: {@link #record} only offers the event to a bounded queue, and
 * one writer thread stores the queue in JDBC batches. Every face that touches a workspace (the MCP file tools, the
 * HTTP file API, shares) calls {@link #record}.
 *
 * <p>When the queue is full (the database is down or slower than the traffic for longer than the queue lasts), new
 * events are dropped rather than blocking or failing the operation: an operation must not fail because its record
 * cannot be kept, and waiting would spread a database outage to every file call. Drops are counted and logged as a
 * warning (at most every 10 s) with the running total. A batch the database refuses is dropped and counted the same
 * way. On close the writer stores what is queued before it stops.
 *
 * <p>The writer also deletes records older than the retention, once per purge interval.
 *
 * <p>A change a client is told succeeded ({@link #recordChange}) can be made to wait until its record is stored
 * ({@link #waitForChanges}): a node killed right after answering then cannot take the record with it.
 */
public class AuditTrail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    private static final int BATCH = 500;
    private static final Duration WARN_EVERY = Duration.ofSeconds(10);

    private final AuditRepository repository;
    private final BlockingQueue<AuditEvent> queue;
    private final Duration retention;
    private final Duration purgeInterval;
    private final Clock clock;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object progress = new Object();
    /** Offers and their sequence numbers in one order, so "done reached my number" means "mine is stored". */
    private final Object offers = new Object();
    private volatile Duration changeWait = Duration.ZERO;
    private final Thread writer;
    private final List<Consumer<AuditEvent>> listeners =
            new CopyOnWriteArrayList<>();
    private volatile boolean closing;
    private long droppedReported;
    private Instant lastWarning = Instant.EPOCH;
    private Instant nextPurge;

    public AuditTrail(AuditRepository repository, int capacity, Duration retention, Duration purgeInterval,
                      Clock clock) {
        this.repository = repository;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.retention = retention;
        this.purgeInterval = purgeInterval;
        this.clock = clock;
        this.nextPurge = clock.instant().plus(Duration.ofMinutes(1));
        this.writer = new Thread(this::drain, "caravan-audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Adds a listener told of every recorded event, dropped or not, on the caller's thread (metrics; knowledge bases
     * queue changed files);
     * it must return at once and not throw.
     */
    public void addListener(Consumer<AuditEvent> listener) {
        listeners.add(listener);
    }

    /**
     * Makes {@link #recordChange} wait up to {@code timeout} until the record is stored (zero: do not wait). Past
     * the timeout the change goes on answering: the database is slow or down, and the record stays queued.
     */
    public void waitForChanges(Duration timeout) {
        this.changeWait = timeout == null ? Duration.ZERO : timeout;
    }

    /** Queues the record of a change (a write, move, delete); waits until it is stored if so configured. */
    public void recordChange(AuditEvent event) {
        long seq = offer(event);
        Duration wait = changeWait;
        if (seq > 0 && !wait.isZero()) {
            awaitDone(seq, System.nanoTime() + wait.toNanos());
        }
    }

    /** Queues the event; never blocks, never throws. */
    public void record(AuditEvent event) {
        offer(event);
    }

    /** The event's number in the queue's order, or 0 when it was dropped. */
    private long offer(AuditEvent event) {
        for (Consumer<AuditEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                log.warn("An audit listener failed ({})", e.toString());
            }
        }
        synchronized (offers) {
            if (closing || !queue.offer(event)) {
                dropped.incrementAndGet();
                return 0;
            }
            return accepted.incrementAndGet();
        }
    }

    public List<AuditEvent> search(AuditQuery query) {
        return repository.search(query);
    }

    /** Records dropped since start (queue full, database refused, or after close). */
    public long dropped() {
        return dropped.get();
    }

    /** Waits until every event recorded so far is stored (or dropped); for tests and shutdown. */
    public boolean flush(Duration timeout) {
        return awaitDone(accepted.get(), System.nanoTime() + timeout.toNanos());
    }

    private boolean awaitDone(long target, long end) {
        synchronized (progress) {
            while (done.get() < target) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private void drain() {
        List<AuditEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            AuditEvent first;
            try {
                first = queue.poll(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
                closing = true;
            }
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                store(batch);
                batch.clear();
            } else if (closing && queue.isEmpty()) {
                break;
            }
            housekeeping();
        }
        reportDrops(true);
    }

    private void store(List<AuditEvent> batch) {
        try {
            repository.insert(batch);
        } catch (RuntimeException e) {
            dropped.addAndGet(batch.size());
            log.warn("Could not store {} audit records; they are dropped ({})", batch.size(), e.getMessage());
        }
        synchronized (progress) {
            done.addAndGet(batch.size());
            progress.notifyAll();
        }
    }

    private void housekeeping() {
        reportDrops(false);
        Instant now = clock.instant();
        if (!closing && now.isAfter(nextPurge)) {
            nextPurge = now.plus(purgeInterval);
            try {
                int purged = repository.purgeBefore(now.minus(retention));
                if (purged > 0) {
                    log.info("Purged {} audit records older than {}", purged, retention);
                }
            } catch (RuntimeException e) {
                log.warn("Purging old audit records failed; will retry ({})", e.getMessage());
            }
        }
    }

    private void reportDrops(boolean now) {
        long total = dropped.get();
        Instant t = clock.instant();
        if (total > droppedReported && (now || t.isAfter(lastWarning.plus(WARN_EVERY)))) {
            log.warn("Audit trail dropped {} records ({} since start): the queue was full or the database refused "
                    + "them", total - droppedReported, total);
            droppedReported = total;
            lastWarning = t;
        }
    }

    /** Runs a purge now (normally the writer does it once per purge interval). */
    public int purge() {
        return repository.purgeBefore(clock.instant().minus(retention));
    }

    /** Stores what is queued, then stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
