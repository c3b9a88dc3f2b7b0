package dev.caravan.workspace.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Periodically deletes locks that expired over a day ago: they never block, this only keeps the table small. */
public final class LockPurge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LockPurge.class);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-lock-purge");
        t.setDaemon(true);
        return t;
    });

    public LockPurge(LockService locks, Duration every) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                locks.purge();
            } catch (RuntimeException e) {
                log.warn("Purging expired workspace locks failed; will retry ({})", e.getMessage());
            }
        }, every.toSeconds(), every.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
