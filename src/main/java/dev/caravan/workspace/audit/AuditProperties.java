package dev.caravan.workspace.audit;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code caravan.workspace.audit.*}: how long the audit trail keeps records and how it buffers them. */
@ConfigurationProperties("caravan.workspace.audit")
public class AuditProperties {
    /** Records older than this are deleted. */
    private Duration retention = Duration.ofDays(90);
    /** How often old records are deleted. */
    private Duration purgeInterval = Duration.ofHours(1);
    /** Events waiting to be stored; beyond it new ones are dropped (and counted in a warning). */
    private int queueCapacity = 10_000;
    /** Most records one search returns. */
    private int maxResults = 500;
    /**
     * How long a successful change (write, move, delete) waits for its record to be stored before the caller is
     * answered; 0 answers at once. Set it (e.g. 2s) on several nodes: a node killed right after answering then
     * cannot lose the record of a change a client saw succeed. Costs about one database round trip per change.
     */
    private Duration changeStoreWait = Duration.ZERO;

    public Duration getChangeStoreWait() {
        return changeStoreWait;
    }

    public void setChangeStoreWait(Duration changeStoreWait) {
        this.changeStoreWait = changeStoreWait;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public Duration getPurgeInterval() {
        return purgeInterval;
    }

    public void setPurgeInterval(Duration purgeInterval) {
        this.purgeInterval = purgeInterval;
    }

    public int getQueueCapacity() {
        return queueCapacity;
    }

    public void setQueueCapacity(int queueCapacity) {
        this.queueCapacity = queueCapacity;
    }

    public int getMaxResults() {
        return maxResults;
    }

    public void setMaxResults(int maxResults) {
        this.maxResults = maxResults;
    }
}
