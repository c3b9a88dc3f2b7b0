package dev.caravan.upstream;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code caravan.upstream.*}: how upstream connections are watched and retried (declarations are in upstreams.yaml). */
@ConfigurationProperties("caravan.upstream")
public class UpstreamProperties {
    /** How often a connected upstream is pinged; a failed ping drops it and starts reconnecting. */
    private Duration healthInterval = Duration.ofSeconds(15);
    /** First wait before reconnecting; doubles on each failure up to backoff-max. */
    private Duration backoffInitial = Duration.ofSeconds(1);
    /** Longest wait between reconnection attempts. */
    private Duration backoffMax = Duration.ofSeconds(60);
    /** How often connectors/upstreams.yaml is checked for changes. */
    private Duration pollInterval = Duration.ofSeconds(2);
    /** How often upstreams managed through the admin API are read from the database (changes by other nodes). */
    private Duration reconcileInterval = Duration.ofSeconds(5);
    /** Whether the admin API may create stdio upstreams (they run a command on every node); off by default. */
    private boolean apiAllowsStdio;
    /**
     * Calls allowed in flight at once to one upstream that sets no {@code max-concurrent-calls} of its own; more
     * are refused at once, so a hung upstream cannot take every request thread.
     */
    private int maxConcurrentCalls = Timings.DEFAULT_MAX_CONCURRENT_CALLS;

    public int getMaxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    public void setMaxConcurrentCalls(int maxConcurrentCalls) {
        if (maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("caravan.upstream.max-concurrent-calls must be at least 1");
        }
        this.maxConcurrentCalls = maxConcurrentCalls;
    }

    public Duration getReconcileInterval() {
        return reconcileInterval;
    }

    public void setReconcileInterval(Duration reconcileInterval) {
        this.reconcileInterval = reconcileInterval;
    }

    public boolean isApiAllowsStdio() {
        return apiAllowsStdio;
    }

    public void setApiAllowsStdio(boolean apiAllowsStdio) {
        this.apiAllowsStdio = apiAllowsStdio;
    }

    public Duration getHealthInterval() {
        return healthInterval;
    }

    public void setHealthInterval(Duration healthInterval) {
        this.healthInterval = healthInterval;
    }

    public Duration getBackoffInitial() {
        return backoffInitial;
    }

    public void setBackoffInitial(Duration backoffInitial) {
        this.backoffInitial = backoffInitial;
    }

    public Duration getBackoffMax() {
        return backoffMax;
    }

    public void setBackoffMax(Duration backoffMax) {
        this.backoffMax = backoffMax;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }
}
