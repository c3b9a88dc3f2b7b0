package dev.caravan.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps how many MCP requests hold a request thread at once, so that MCP traffic (slow senders included) can never
 * take all of Tomcat's threads: the admin API, the file API, share links and health keep answering. A request
 * over the cap is refused at once (503 + Retry-After), before its body is read.
 */
public final class McpAdmission {
    private final Semaphore permits;
    private final int limit;
    private final int perClient;
    /** In-flight requests per credential; an entry goes when its count drops to zero, so the map stays small. */
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    public McpAdmission(int limit) {
        this(limit, Integer.MAX_VALUE);
    }

    public McpAdmission(int limit, int perClient) {
        this.limit = Math.max(1, limit);
        this.perClient = Math.max(1, perClient);
        this.permits = new Semaphore(this.limit);
    }

    /** Takes one of the client's slots; false (nothing taken) when it has {@link #perClient()} in flight already. */
    public boolean tryEnterClient(String client) {
        AtomicBoolean taken = new AtomicBoolean();
        inFlight.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perClient) {
                return n;
            }
            taken.set(true);
            return now + 1;
        });
        return taken.get();
    }

    public void leaveClient(String client) {
        inFlight.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    public int perClient() {
        return perClient;
    }

    public boolean tryEnter() {
        return permits.tryAcquire();
    }

    public void leave() {
        permits.release();
    }

    public int limit() {
        return limit;
    }
}
