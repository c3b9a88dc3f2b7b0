package dev.caravan.connectors;

import dev.caravan.core.Periodic;
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

/**
 * Watches one {@code CONNECTORS_DIR/*.yaml} file and applies its list of configs. A file that cannot be used changes
 * nothing: what was in use stays, and {@link #status()} (and the log) name the file, the line when known, and the
 * reason. A deleted file applies an empty list. Subclasses say how to parse and what applying means.
 *
 * @param <T> one config item (an upstream, a workspace)
 * @param <S> the connector's status record, kept per connector so its admin JSON keeps its own count field
 */
public abstract class WatchedConnectorFile<T, S> implements AutoCloseable {
    // Named after the subclass, so the log reads as before the logic moved here.
    private final Logger log = LoggerFactory.getLogger(getClass());

    private final Path file;
    private final Duration pollInterval;
    private final String taskName;
    private final String itemNoun;
    private final String keptOnFailure;
    private final StatusFactory<S> statuses;
    private Periodic watcher;
    private byte[] applied;
    private boolean present;
    private volatile S status;

    /** Builds the connector's status; {@code state} is loaded, failed (the previous configs stay) or absent. */
    @FunctionalInterface
    public interface StatusFactory<S> {
        S create(String file, String state, Integer line, String error, int count, Instant checkedAt);
    }

    /**
     * @param taskName      names the watcher's thread, caravan-TASKNAME
     * @param itemNoun      singular, for "Loaded FILE (2 upstreams)"
     * @param keptOnFailure what the log says stays when the file is invalid, e.g. "the previous upstreams keep running"
     */
    protected WatchedConnectorFile(Path file, Duration pollInterval, String taskName, String itemNoun,
                                   String keptOnFailure, StatusFactory<S> statuses) {
        this.file = file;
        this.pollInterval = pollInterval;
        this.taskName = taskName;
        this.itemNoun = itemNoun;
        this.keptOnFailure = keptOnFailure;
        this.statuses = statuses;
        this.status = statuses.create(file.toString(), "absent", null, null, 0, Instant.now());
    }

    /** Parses the file's content; throws the connector's {@link ConnectorConfigException} when it cannot be used. */
    protected abstract List<T> parse(String yaml, String file);

    /** Puts the configs in use; may throw {@link ConnectorConfigException} to reject them as a whole. */
    protected abstract void apply(List<T> configs);

    /** How many items are in use, reported when the file failed and the previous ones stay. */
    protected abstract int inUse();

    protected Path file() {
        return file;
    }

    public void start() {
        check();
        watcher = Periodic.every(taskName, pollInterval, this::check).start();
    }

    public S status() {
        return status;
    }

    /** Reads the file and applies it when its content changed since the last successful or failed read. */
    public synchronized void check() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (present || applied == null) {
                present = false;
                applied = new byte[0];
                apply(List.of());
                status = statuses.create(file.toString(), "absent", null, null, 0, Instant.now());
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
            List<T> configs = parse(new String(content, StandardCharsets.UTF_8), file.toString());
            apply(configs);
            status = statuses.create(file.toString(), "loaded", null, null, configs.size(), Instant.now());
            log.info("Loaded {} ({} {}{})", file, configs.size(), itemNoun, configs.size() == 1 ? "" : "s");
        } catch (ConnectorConfigException e) {
            status = statuses.create(file.toString(), "failed", e.line(), e.reason(), inUse(), Instant.now());
            log.error("{} is invalid and was not applied ({}): {}", file, keptOnFailure, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
