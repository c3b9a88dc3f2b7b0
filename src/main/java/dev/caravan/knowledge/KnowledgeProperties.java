package dev.caravan.knowledge;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code caravan.knowledge.*}: knowledge bases (ingestion workers, leases, the feed every node's index follows). */
@ConfigurationProperties("caravan.knowledge")
public class KnowledgeProperties {
    /** Documents one node ingests at a time (its own pool: ingestion never takes a thread a tool call needs). */
    private int workers = 1;
    /** Threads the in-process embedding model computes on. */
    private int embeddingThreads = 2;
    /** How long a worker's claim on a document lasts without progress; a document past it was on a dead worker. */
    private Duration lease = Duration.ofMinutes(2);
    /** How often a document is taken again after its worker died before it is failed with a reason. */
    private int maxAttempts = 3;
    /** How often the workspaces are compared with the documents known, to catch changes made behind Caravan's back. */
    private Duration reconcileInterval = Duration.ofMinutes(5);
    /** How often this node's indexes apply the changes other nodes recorded in the database (their change feed). */
    private Duration followInterval = Duration.ofSeconds(1);
    /** How long the change feed keeps a change; a node stopped for longer rebuilds its indexes from the database. */
    private Duration feedRetention = Duration.ofDays(7);

    public int getWorkers() {
        return workers;
    }

    public void setWorkers(int workers) {
        this.workers = workers;
    }

    public int getEmbeddingThreads() {
        return embeddingThreads;
    }

    public void setEmbeddingThreads(int embeddingThreads) {
        this.embeddingThreads = embeddingThreads;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getReconcileInterval() {
        return reconcileInterval;
    }

    public void setReconcileInterval(Duration reconcileInterval) {
        this.reconcileInterval = reconcileInterval;
    }

    public Duration getFollowInterval() {
        return followInterval;
    }

    public void setFollowInterval(Duration followInterval) {
        this.followInterval = followInterval;
    }

    public Duration getFeedRetention() {
        return feedRetention;
    }

    public void setFeedRetention(Duration feedRetention) {
        this.feedRetention = feedRetention;
    }
}
