package dev.caravan.core;

import org.springframework.context.SmartLifecycle;

/**
 * A part that starts as the application starts and stops before the web server does, in a given phase (a lower
 * phase starts earlier and stops later). Named, so a shutdown that hangs says which part.
 */
public final class PhasedLifecycle implements SmartLifecycle {
    private final String name;
    private final int phase;
    private final Runnable onStart;
    private final Runnable onStop;
    private volatile boolean running;

    public PhasedLifecycle(String name, int phase, Runnable onStart, Runnable onStop) {
        this.name = name;
        this.phase = phase;
        this.onStart = onStart;
        this.onStop = onStop;
    }

    /** In the default phase. */
    public PhasedLifecycle(String name, Runnable onStart, Runnable onStop) {
        this(name, DEFAULT_PHASE, onStart, onStop);
    }

    @Override
    public void start() {
        onStart.run();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        onStop.run();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return phase;
    }

    @Override
    public String toString() {
        return name;
    }
}
