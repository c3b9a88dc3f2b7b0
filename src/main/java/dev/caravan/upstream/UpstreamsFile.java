package dev.caravan.upstream;

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
 * Watches {@code CONNECTORS_DIR/upstreams.yaml} and applies it to {@link Upstreams}. A file that cannot be used
 * changes nothing: what was running keeps running, and {@link #status()} (and the log) name the file, the line
 * when known, and the reason. A deleted file removes every upstream.
 */
public class UpstreamsFile implements AutoCloseable {
    public static final String NAME = "upstreams.yaml";
    private static final Logger log = LoggerFactory.getLogger(UpstreamsFile.class);

    private final Path file;
    private final Upstreams upstreams;
    private final Duration pollInterval;
    private ScheduledExecutorService watcher;
    private byte[] applied;
    private boolean present;
    private volatile Status status;

    /**
     * @param state  loaded, failed (the previous declaration keeps running) or absent
     */
    public record Status(String file, String state, Integer line, String error, int upstreams, Instant checkedAt) {
    }

    public UpstreamsFile(Path connectorsDir, Upstreams upstreams, Duration pollInterval) {
        this.file = connectorsDir.toAbsolutePath().normalize().resolve(NAME);
        this.upstreams = upstreams;
        this.pollInterval = pollInterval;
        this.status = new Status(file.toString(), "absent", null, null, 0, Instant.now());
    }

    public void start() {
        check();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-upstreams-watcher");
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

    /** Reads the file and applies it when its content changed since the last successful or failed read. */
    synchronized void check() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (present || applied == null) {
                present = false;
                applied = new byte[0];
                upstreams.apply(List.of());
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
            List<UpstreamConfig> configs = UpstreamConfigParser.parse(new String(content, StandardCharsets.UTF_8),
                    file.toString());
            upstreams.apply(configs);
            status = new Status(file.toString(), "loaded", null, null, configs.size(), Instant.now());
            log.info("Loaded {} ({} upstream{})", file, configs.size(), configs.size() == 1 ? "" : "s");
        } catch (UpstreamConfigException e) {
            status = new Status(file.toString(), "failed", e.line(), e.reason(), upstreams.statuses().size(),
                    Instant.now());
            log.error("{} is invalid and was not applied (the previous upstreams keep running): {}", file,
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
