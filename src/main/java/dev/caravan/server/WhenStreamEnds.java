package dev.caravan.server;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/** Runs one action however a held-open response ends: completed, timed out or failed. */
final class WhenStreamEnds implements AsyncListener {
    private final Runnable action;

    WhenStreamEnds(Runnable action) {
        this.action = action;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        action.run();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        action.run();
    }

    @Override
    public void onError(AsyncEvent event) {
        action.run();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}
