package dev.caravan.upstream;

import dev.caravan.connectors.WatchedConnectorFile;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Watches {@code CONNECTORS_DIR/upstreams.yaml} and applies it to {@link Upstreams}. A file that cannot be used
 * changes nothing: what was running keeps running, and {@link #status()} (and the log) name the file, the line
 * when known, and the reason. A deleted file removes every upstream.
 */
public class UpstreamsFile extends WatchedConnectorFile<UpstreamConfig, UpstreamsFile.Status> {
    public static final String NAME = "upstreams.yaml";

    private final Upstreams upstreams;

    /**
     * @param state  loaded, failed (the previous declaration keeps running) or absent
     */
    public record Status(String file, String state, Integer line, String error, int upstreams, Instant checkedAt) {
    }

    public UpstreamsFile(Path connectorsDir, Upstreams upstreams, Duration pollInterval) {
        super(connectorsDir.toAbsolutePath().normalize().resolve(NAME), pollInterval, "upstreams-watcher",
                "upstream", "the previous upstreams keep running", Status::new);
        this.upstreams = upstreams;
    }

    @Override
    protected List<UpstreamConfig> parse(String yaml, String file) {
        return UpstreamConfigParser.parse(yaml, file);
    }

    @Override
    protected void apply(List<UpstreamConfig> configs) {
        upstreams.apply(configs);
    }

    @Override
    protected int inUse() {
        return upstreams.statuses().size();
    }
}
