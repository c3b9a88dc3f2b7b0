package dev.caravan.workspace;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code caravan.workspace.*}: defaults for every workspace (declarations are in workspaces.yaml). */
@ConfigurationProperties("caravan.workspace")
public class WorkspaceProperties {
    /** How often connectors/workspaces.yaml is checked for changes. */
    private Duration pollInterval = Duration.ofSeconds(2);
    /** Earlier versions kept per file, unless a workspace says otherwise; 0 keeps none. */
    private int versionsKept = 10;
    /** Largest file read_text_file, read_media_file and edit_file take into memory. */
    private long maxReadBytes = 8L << 20;
    /** Most entries a listing, tree, search or grep returns. */
    private int maxEntries = 1000;
    /** Longest a tree walk, search or grep may run. */
    private Duration walkTimeLimit = Duration.ofSeconds(10);
    /** Whether agents may create workspaces with the workspace_create tool (the admin API always may). */
    private boolean allowCreate = true;
    /** Most workspaces one principal may create with workspace_create. */
    private int maxCreatedPerPrincipal = 10;
    /** Longest a workspace claim token (workspace_transfer) may live. */
    private Duration maxClaimLifetime = Duration.ofDays(7);
    /** How often workspaces created through other nodes are picked up from the database. */
    private Duration reconcileInterval = Duration.ofSeconds(5);
    /** Temp files and incomplete uploads of interrupted writes older than this are removed (checked every quarter). */
    private Duration tempFileMaxAge = Duration.ofHours(1);

    public Duration getTempFileMaxAge() {
        return tempFileMaxAge;
    }

    public void setTempFileMaxAge(Duration tempFileMaxAge) {
        this.tempFileMaxAge = tempFileMaxAge;
    }

    public boolean isAllowCreate() {
        return allowCreate;
    }

    public void setAllowCreate(boolean allowCreate) {
        this.allowCreate = allowCreate;
    }

    public int getMaxCreatedPerPrincipal() {
        return maxCreatedPerPrincipal;
    }

    public void setMaxCreatedPerPrincipal(int maxCreatedPerPrincipal) {
        this.maxCreatedPerPrincipal = maxCreatedPerPrincipal;
    }

    public Duration getMaxClaimLifetime() {
        return maxClaimLifetime;
    }

    public void setMaxClaimLifetime(Duration maxClaimLifetime) {
        this.maxClaimLifetime = maxClaimLifetime;
    }

    public Duration getReconcileInterval() {
        return reconcileInterval;
    }

    public void setReconcileInterval(Duration reconcileInterval) {
        this.reconcileInterval = reconcileInterval;
    }

    /** How long a share link lives when share_create is not told. */
    private Duration shareDefaultExpiry = Duration.ofDays(7);
    /** The longest a share link may live; every share expires. */
    private Duration shareMaxExpiry = Duration.ofDays(30);

    public Duration getShareDefaultExpiry() {
        return shareDefaultExpiry;
    }

    public void setShareDefaultExpiry(Duration shareDefaultExpiry) {
        this.shareDefaultExpiry = shareDefaultExpiry;
    }

    public Duration getShareMaxExpiry() {
        return shareMaxExpiry;
    }

    public void setShareMaxExpiry(Duration shareMaxExpiry) {
        this.shareMaxExpiry = shareMaxExpiry;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getVersionsKept() {
        return versionsKept;
    }

    public void setVersionsKept(int versionsKept) {
        this.versionsKept = versionsKept;
    }

    public long getMaxReadBytes() {
        return maxReadBytes;
    }

    public void setMaxReadBytes(long maxReadBytes) {
        this.maxReadBytes = maxReadBytes;
    }

    public int getMaxEntries() {
        return maxEntries;
    }

    public void setMaxEntries(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    public Duration getWalkTimeLimit() {
        return walkTimeLimit;
    }

    public void setWalkTimeLimit(Duration walkTimeLimit) {
        this.walkTimeLimit = walkTimeLimit;
    }
}
