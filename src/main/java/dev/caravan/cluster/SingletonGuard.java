package dev.caravan.cluster;

import dev.caravan.core.Periodic;

/**
 * The guard of tasks that must run once across the nodes (purges, sweeps of shared storage): under a lease on
 * PostgreSQL, directly on the embedded database. Work that keeps this node's own state in line with the database
 * (reconcile loops, watchers, stream sweeps) does not use it: every node must do that for itself.
 */
public final class SingletonGuard implements Periodic.Guard, AutoCloseable {
    private final AdvisoryLeases leases;

    /** @param leases null on a single-node database */
    SingletonGuard(AdvisoryLeases leases) {
        this.leases = leases;
    }

    @Override
    public void run(String name, Runnable work) {
        if (leases == null) {
            work.run();
        } else {
            leases.run(name, work);
        }
    }

    @Override
    public void close() {
        if (leases != null) {
            leases.close();
        }
    }
}
