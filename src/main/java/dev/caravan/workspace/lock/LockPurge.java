package dev.caravan.workspace.lock;

import dev.caravan.core.Periodic;

import java.time.Duration;

/** Periodically deletes locks that expired over a day ago: they never block, this only keeps the table small. */
final class LockPurge implements AutoCloseable {
    private final Periodic timer;

    public LockPurge(LockService locks, Duration every) {
        timer = Periodic.every("lock-purge", every, locks::purge).start();
    }

    @Override
    public void close() {
        timer.close();
    }
}
