package dev.caravan.knowledge;

import dev.caravan.core.Periodic;
import dev.caravan.workspace.audit.AuditEvent;
import dev.caravan.workspace.audit.AuditOutcome;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Turns the audit trail's successful change events (MCP file tools, the HTTP file API, share uploads all record
 * there) into queued documents. {@link #accept} only offers the event to a bounded queue, so a tool call never waits
 * on ingestion; when the queue is full the event is dropped and the periodic reconcile finds the change instead.
 */
final class ChangeFeed implements Consumer<AuditEvent> {
    private static final Set<String> READS = Set.of("read_text_file", "read_media_file", "read_multiple_files",
            "get_file_info", "list_directory", "list_directory_with_sizes", "directory_tree", "search_files",
            "grep_files", "list_versions", "http_get", "http_head", "share_download", "list_workspaces",
            "audit_search", "create_directory", "http_mkdir");

    private final BlockingQueue<AuditEvent> queue = new ArrayBlockingQueue<>(10_000);
    private final KnowledgeService service;
    private final Periodic apply;
    private final Runnable ingest;

    ChangeFeed(KnowledgeService service, Runnable ingest) {
        this.service = service;
        this.ingest = ingest;
        this.apply = Periodic.onRequest("knowledge-changes", Duration.ofMillis(200), this::drain);
    }

    void start() {
        apply.start();
    }

    void close() {
        apply.close();
    }

    @Override
    public void accept(AuditEvent e) {
        if (!AuditOutcome.OK.equals(e.outcome()) || e.workspace() == null || e.path() == null
                || READS.contains(e.operation()) || e.operation().startsWith("lock_")
                || e.operation().startsWith("share_create") || e.operation().startsWith("share_revoke")) {
            return;
        }
        if (queue.offer(e)) {
            apply.request();
        }
    }

    private void drain() {
        AuditEvent e;
        boolean any = false;
        while ((e = queue.poll()) != null) {
            String op = e.operation();
            boolean delete = op.contains("delete");
            boolean move = op.contains("move") && e.destination() != null;
            if (move) {
                service.changed(e.workspace(), e.path(), e.destination(), false);
            } else if (e.destination() != null) { // a copy: the destination is new
                service.changed(e.workspace(), e.destination(), null, false);
            } else {
                service.changed(e.workspace(), e.path(), null, delete);
            }
            any = true;
        }
        if (any) {
            ingest.run();
        }
    }
}
