package dev.caravan.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Background work with a name: every {@code interval} after an initial delay ({@link #every}), or once soon after
 * each request, bursts of requests coalesced ({@link #onRequest}). A run that fails is logged and the next one still
 * happens. Each task has its own daemon thread {@code caravan-NAME}, so the log says whose it is and a slow run (a
 * route reload, an upstream that does not answer) holds up only its own task. {@link #close()} stops it; the owner
 * calls it as it stops.
 * <p>
 * Every run goes through a {@link Guard}: {@link Guard#EVERY_NODE} for work that keeps this node's own state in line;
 * work that must happen once across the nodes is given the singleton guard (a PostgreSQL advisory-lock lease, see
 * {@code cluster.SingletonGuard}).
 */
public final class Periodic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    /** Decides whether (and how) this node does a run; a lease held across nodes implements it. */
    @FunctionalInterface
    public interface Guard {
        /** Runs on every node. */
        Guard EVERY_NODE = (name, work) -> work.run();

        /** Calls {@code work.run()} when this node is to do the run named {@code name}, else returns. */
        void run(String name, Runnable work);
    }

    private final String name;
    private final Duration initialDelay;
    private final Duration interval;
    private final Guard guard;
    private final Runnable work;
    private final AtomicBoolean requested = new AtomicBoolean();
    private ScheduledExecutorService executor;

    private Periodic(String name, Duration initialDelay, Duration interval, Guard guard, Runnable work) {
        if (interval != null && (interval.isNegative() || interval.isZero())) {
            throw new IllegalArgumentException("The interval of " + name + " must be positive, not " + interval);
        }
        if (initialDelay.isNegative()) {
            throw new IllegalArgumentException("The initial delay of " + name + " must not be negative");
        }
        this.name = name;
        this.initialDelay = initialDelay;
        this.interval = interval;
        this.guard = guard;
        this.work = work;
    }

    /** Runs {@code work} every {@code interval}, the first time one interval after {@link #start()}. */
    public static Periodic every(String name, Duration interval, Runnable work) {
        return every(name, interval, interval, Guard.EVERY_NODE, work);
    }

    /** Runs {@code work} {@code initialDelay} after {@link #start()}, then {@code interval} after each run ends. */
    public static Periodic every(String name, Duration initialDelay, Duration interval, Guard guard, Runnable work) {
        return new Periodic(name, initialDelay, interval, guard, work);
    }

    /** Runs {@code work} once, {@code delay} after the first {@link #request()} of a burst. */
    public static Periodic onRequest(String name, Duration delay, Runnable work) {
        return new Periodic(name, delay, null, Guard.EVERY_NODE, work);
    }

    public String name() {
        return name;
    }

    /** Starts the schedule (for {@link #onRequest} tasks: accepts requests). Does nothing when running. */
    public synchronized Periodic start() {
        if (executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "caravan-" + name);
                t.setDaemon(true);
                return t;
            });
            if (interval != null) {
                executor.scheduleWithFixedDelay(this::runGuarded, initialDelay.toMillis(), interval.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        return this;
    }

    /**
     * Asks for one run {@code delay} from now; requests made before it starts are served by it. Ignored when not
     * running (e.g. after close, when stopping routes still changes the catalogue).
     */
    public synchronized void request() {
        if (executor != null && requested.compareAndSet(false, true)) {
            executor.schedule(() -> {
                requested.set(false);
                runGuarded();
            }, initialDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Stops the schedule and interrupts a run in progress. */
    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    private void runGuarded() {
        try {
            guard.run(name, work);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Thrown out of here, the executor would silently cancel every later run.
            log.warn("{} failed; will run again{}", name, interval == null ? " when asked" : " in " + interval, e);
        }
    }

    @Override
    public String toString() {
        return "Periodic[" + name + (interval == null ? ", on request" : ", every " + interval) + "]";
    }
}
