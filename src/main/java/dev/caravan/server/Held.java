package dev.caravan.server;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one MCP request holds until it ends (its admission slots, its drain count): released when the request
 * thread leaves the dispatcher, or, once the request is handed off to {@link CallHandoff}, when the call ends there.
 * Used by one thread at a time: the request thread until the hand-off, the pool thread after it.
 */
final class Held {
    private final Deque<Runnable> releases = new ArrayDeque<>();
    private boolean handedOff;

    void untilDone(Runnable release) {
        releases.push(release);
    }

    void handOff() {
        handedOff = true;
    }

    /** The request thread leaves the dispatcher: release unless the call went on elsewhere. */
    void threadReturns() {
        if (!handedOff) {
            done();
        }
    }

    void done() {
        while (!releases.isEmpty()) {
            releases.pop().run();
        }
    }
}
