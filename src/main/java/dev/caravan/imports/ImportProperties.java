package dev.caravan.imports;

import org.springframework.boot.context.properties.ConfigurationProperties;

import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code caravan.import.*}: URL imports into workspaces. */
@ConfigurationProperties("caravan.import")
public class ImportProperties {
    /** Hosts imports may reach although they are private or reserved: names, addresses or blocks (CIDR). */
    private List<String> allowedHosts = new ArrayList<>();
    /** Imports one node runs at a time; more wait queued. */
    private int workers = 4;
    /** Longest wait for a connection to the server. */
    private Duration connectTimeout = Duration.ofSeconds(10);
    /** Longest silence while reading the response. */
    private Duration readTimeout = Duration.ofSeconds(30);
    /** Longest one import may take, retries after 429/503 included; it then ends with reason timeout. */
    private Duration maxDuration = Duration.ofHours(1);
    /** How long a node's claim on a running job lasts without a heartbeat; a job past it was on a dead node. */
    private Duration lease = Duration.ofSeconds(30);
    /** How often a node renews its leases, looks for queued jobs and for jobs whose node died. */
    private Duration pollInterval = Duration.ofSeconds(2);
    /** How often a job is started at most; a job whose node died is started again until then, else interrupted. */
    private int maxAttempts = 2;
    /** How long finished jobs stay listed. */
    private Duration retention = Duration.ofDays(7);
    /** The longest wait an import_url call may ask for. */
    private Duration maxWait = Duration.ofMinutes(5);
    /** The most files one shared-folder import brings in; a folder with more is refused before any download. */
    private int folderMaxFiles = 100;
    /** The most bytes one shared-folder import brings in, all files together. */
    private DataSize folderMaxBytes = DataSize.ofGigabytes(1);
    /** How many levels of sub-folders a shared-folder import goes down; 0 imports the folder's own files only. */
    private int folderMaxDepth = 5;

    public int getFolderMaxDepth() {
        return folderMaxDepth;
    }

    public void setFolderMaxDepth(int folderMaxDepth) {
        this.folderMaxDepth = folderMaxDepth;
    }

    public int getFolderMaxFiles() {
        return folderMaxFiles;
    }

    public void setFolderMaxFiles(int folderMaxFiles) {
        this.folderMaxFiles = folderMaxFiles;
    }

    public DataSize getFolderMaxBytes() {
        return folderMaxBytes;
    }

    public void setFolderMaxBytes(DataSize folderMaxBytes) {
        this.folderMaxBytes = folderMaxBytes;
    }

    public List<String> getAllowedHosts() {
        return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
        this.allowedHosts = allowedHosts;
    }

    public int getWorkers() {
        return workers;
    }

    public void setWorkers(int workers) {
        this.workers = workers;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public Duration getMaxDuration() {
        return maxDuration;
    }

    public void setMaxDuration(Duration maxDuration) {
        this.maxDuration = maxDuration;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public Duration getMaxWait() {
        return maxWait;
    }

    public void setMaxWait(Duration maxWait) {
        this.maxWait = maxWait;
    }
}
