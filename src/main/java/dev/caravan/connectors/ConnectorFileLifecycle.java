package dev.caravan.connectors;

import org.springframework.context.SmartLifecycle;

/**
 * Reads a connector file as the application starts (before routes can be called) and stops watching it at the end,
 * then runs {@code onStop} (e.g. disconnecting upstreams before the web server stops).
 */
public final class ConnectorFileLifecycle implements SmartLifecycle {
    private final WatchedConnectorFile<?, ?> file;
    private final Runnable onStop;
    private volatile boolean running;

    public ConnectorFileLifecycle(WatchedConnectorFile<?, ?> file, Runnable onStop) {
        this.file = file;
        this.onStop = onStop;
    }

    @Override
    public void start() {
        file.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        file.close();
        onStop.run();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
