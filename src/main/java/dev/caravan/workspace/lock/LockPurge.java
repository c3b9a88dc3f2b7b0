package dev.caravan.workspace.lock;

import dev.caravan.core.Periodic;

import java.time.Duration;

/**
 * Periodically deletes locks that expired over a day ago: they never block, this only keeps the table small. On
 * several nodes one of them does it (the guard's lease).
 */
final class LockPurge implements AutoCloseable {
    private final Periodic timer;

    public LockPurge(LockService locks, Duration every, Periodic.Guard guard) {
        timer = Periodic.every("lock-purge", every, every, guard, locks::purge).start();
    }

    @Override
    public void close() {
        timer.close();
    }
}
