package dev.caravan.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Admission of MCP requests, so that MCP traffic (slow senders and hung calls included) can never take all of
 * Tomcat's threads: the admin API, the file API, share links and health keep answering.
 * <ul>
 *   <li>{@link #tryEnter()}: MCP requests on Tomcat's request threads at once (reading their body, checking it);
 *   the rest of the pool stays for everything else. A call then goes on on the {@link CallHandoff} pool, so this
 *   bounds the request threads MCP can hold, not the calls in flight.</li>
 *   <li>{@link #tryEnterAddress}: requests in flight from one client address (before any credential is looked at).</li>
 *   <li>{@link #tryEnterClient}: requests in flight with one credential (or legacy SSE session).</li>
 * </ul>
 * A request over a cap is refused at once (503 or 429 + Retry-After), before its body is read.
 */
public final class McpAdmission {
    private final Semaphore permits;
    private final int limit;
    private final Counts perClient;
    private final Counts perAddress;

    public McpAdmission(int limit) {
        this(limit, Integer.MAX_VALUE);
    }

    public McpAdmission(int limit, int perClient) {
        this(limit, perClient, Integer.MAX_VALUE);
    }

    public McpAdmission(int limit, int perClient, int perAddress) {
        this.limit = Math.max(1, limit);
        this.permits = new Semaphore(this.limit);
        this.perClient = new Counts(perClient);
        this.perAddress = new Counts(perAddress);
    }

    /** Takes one of the client's slots; false (nothing taken) when it has {@link #perClient()} in flight already. */
    public boolean tryEnterClient(String client) {
        return perClient.tryEnter(client);
    }

    public void leaveClient(String client) {
        perClient.leave(client);
    }

    public int perClient() {
        return perClient.cap;
    }

    /** Takes one of the address's slots; false (nothing taken) when it has {@link #perAddress()} in flight already. */
    public boolean tryEnterAddress(String address) {
        return perAddress.tryEnter(address);
    }

    public void leaveAddress(String address) {
        perAddress.leave(address);
    }

    public int perAddress() {
        return perAddress.cap;
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

    /** In-flight requests per key; an entry goes when its count drops to zero, so the map stays small. */
    private static final class Counts {
        private final int cap;
        private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

        Counts(int cap) {
            this.cap = Math.max(1, cap);
        }

        boolean tryEnter(String key) {
            AtomicBoolean taken = new AtomicBoolean();
            inFlight.compute(key, (k, n) -> {
                int now = n == null ? 0 : n;
                if (now >= cap) {
                    return n;
                }
                taken.set(true);
                return now + 1;
            });
            return taken.get();
        }

        void leave(String key) {
            inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}
