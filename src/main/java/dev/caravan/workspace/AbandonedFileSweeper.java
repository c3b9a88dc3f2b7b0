package dev.caravan.workspace;

import dev.caravan.core.Periodic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Sweeps every workspace for leftovers of writes that died (temp files, incomplete S3 uploads) older than
 * {@code caravan.workspace.temp-file-max-age}: once at start, then every quarter of that age. An S3 workspace is
 * shared by every node, so one node sweeps it (under the guard's lease, one per workspace); a local directory is
 * swept by the node that has it.
 */
final class AbandonedFileSweeper {
    private static final Logger log = LoggerFactory.getLogger(AbandonedFileSweeper.class);

    private final Workspaces workspaces;
    private final Duration maxAge;

    private final Periodic.Guard shared;

    AbandonedFileSweeper(Workspaces workspaces, Duration maxAge, Periodic.Guard shared) {
        this.workspaces = workspaces;
        this.maxAge = maxAge;
        this.shared = shared;
    }

    /** One pass over every workspace; one that fails is logged and does not stop the others. */
    void sweep() {
        Instant olderThan = Instant.now().minus(maxAge);
        for (Workspace workspace : workspaces.all()) {
            if ("s3".equals(workspace.backend())) {
                shared.run("workspaces-sweep/" + workspace.name(), () -> sweep(workspace, olderThan));
            } else {
                sweep(workspace, olderThan);
            }
        }
    }

    private static void sweep(Workspace workspace, Instant olderThan) {
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

    /** Sweeps at once (in the background: a large S3 listing must not hold up startup), then every quarter age. */
    Periodic schedule() {
        Duration every = Duration.ofMillis(Math.max(1000, maxAge.toMillis() / 4));
        return Periodic.every("workspaces-sweep", Duration.ZERO, every, Periodic.Guard.EVERY_NODE, this::sweep);
    }
}
