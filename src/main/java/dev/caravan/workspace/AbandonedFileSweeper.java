package dev.caravan.workspace;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sweeps every workspace for leftovers of writes that died (temp files, incomplete S3 uploads) older than
 * {@code caravan.workspace.temp-file-max-age}: once at start, then every quarter of that age. The only scheduling
 * of the sweep is here, so it can move to a shared scheduler in one place.
 */
final class AbandonedFileSweeper implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AbandonedFileSweeper.class);

    private final Workspaces workspaces;
    private final Duration maxAge;
    private ScheduledExecutorService timer;

    AbandonedFileSweeper(Workspaces workspaces, Duration maxAge) {
        this.workspaces = workspaces;
        this.maxAge = maxAge;
    }

    /** One pass over every workspace; one that fails is logged and does not stop the others. */
    void sweep() {
        Instant olderThan = Instant.now().minus(maxAge);
        for (Workspace workspace : workspaces.all()) {
            try {
                int removed = workspace.storage().sweepAbandoned(olderThan);
                if (removed > 0) {
                    log.info("Workspace '{}': removed {} leftover(s) of interrupted writes", workspace.name(), removed);
                }
            } catch (RuntimeException e) {
                log.warn("Workspace '{}': sweeping leftovers of interrupted writes failed; will retry",
                        workspace.name(), e);
            }
        }
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-workspaces-sweep");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1000, maxAge.toMillis() / 4);
        // In the background from the start: a large S3 listing must not hold up startup.
        timer.scheduleWithFixedDelay(this::sweep, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
