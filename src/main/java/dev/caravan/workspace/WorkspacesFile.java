package dev.caravan.workspace;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches {@code CONNECTORS_DIR/workspaces.yaml} and applies it to {@link Workspaces}, as {@code UpstreamsFile}
 * does for upstreams. A file that cannot be used (bad YAML, a bad key, an unset {@code ${ENV}}) changes nothing:
 * the workspaces in use stay, and {@link #status()} (and the log) name the file, the line when known, and the
 * reason. A deleted file removes every workspace (their files stay where they are).
 */
public class WorkspacesFile implements AutoCloseable {
    public static final String NAME = "workspaces.yaml";
    private static final Logger log = LoggerFactory.getLogger(WorkspacesFile.class);

    private final Path file;
    private final Workspaces workspaces;
    private final Duration pollInterval;
    private ScheduledExecutorService watcher;
    private byte[] applied;
    private boolean present;
    private volatile Status status;

    /** @param state loaded, failed (the previous declaration stays in use) or absent */
    public record Status(String file, String state, Integer line, String error, int workspaces, Instant checkedAt) {
    }

    public WorkspacesFile(Path connectorsDir, Workspaces workspaces, Duration pollInterval) {
        this.file = connectorsDir.toAbsolutePath().normalize().resolve(NAME);
        this.workspaces = workspaces;
        this.pollInterval = pollInterval;
        this.status = new Status(file.toString(), "absent", null, null, 0, Instant.now());
    }

    public void start() {
        check();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-workspaces-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                log.warn("Checking {} failed; will retry", file, e);
            }
        }, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Status status() {
        return status;
    }

    /** Reads the file and applies it when its content changed since the last read. */
    public synchronized void check() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (present || applied == null) {
                present = false;
                applied = new byte[0];
                workspaces.apply(List.of());
                status = new Status(file.toString(), "absent", null, null, 0, Instant.now());
            }
            return;
        } catch (IOException e) {
            log.warn("Cannot read {}: {}", file, e.getMessage());
            return;
        }
        if (present && Arrays.equals(content, applied)) {
            return;
        }
        present = true;
        applied = content;
        try {
            List<WorkspaceConfig> configs;
            configs = WorkspaceConfigParser.parse(new String(content, StandardCharsets.UTF_8), file.toString());
            try {
                workspaces.apply(configs);
            } catch (IllegalArgumentException e) {
                throw new WorkspaceConfigException(file.toString(), null, e.getMessage());
            }
            status = new Status(file.toString(), "loaded", null, null, configs.size(), Instant.now());
            log.info("Loaded {} ({} workspace{})", file, configs.size(), configs.size() == 1 ? "" : "s");
        } catch (WorkspaceConfigException e) {
            status = new Status(file.toString(), "failed", e.line(), e.reason(), workspaces.all().size(),
                    Instant.now());
            log.error("{} is invalid and was not applied (the previous workspaces stay in use): {}", file,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
