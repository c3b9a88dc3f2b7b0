package dev.caravan.workspace.component;

import dev.caravan.core.WorkspaceScopes.Operation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The declarations the pipeline, the scope check and the route loader rely on. */
class WorkspaceOperationTest {

    @Test
    void everyOperationThatChangesFilesNeedsTheWriteScopeAndEveryWriteScopedOneIsGuarded() {
        for (WorkspaceOperation op : WorkspaceOperation.values()) {
            assertThat(op.writes()).as(op.id()).isEqualTo(op.scope() == Operation.WRITE);
        }
    }

    @Test
    void lockShareAndAuditOperationsNeedTheirOwnScopes() {
        for (WorkspaceOperation op : WorkspaceOperation.values()) {
            if (op.id().startsWith("lock_")) {
                assertThat(op.scope()).as(op.id()).isEqualTo(Operation.LOCK);
            } else if (op.id().startsWith("share_")) {
                assertThat(op.scope()).as(op.id()).isEqualTo(Operation.SHARE);
            }
        }
        assertThat(WorkspaceOperation.AUDIT_SEARCH.scope()).isEqualTo(Operation.ADMIN);
        assertThat(WorkspaceOperation.AUDIT_SEARCH.audit().recorded()).as("searching the trail is not recorded").isFalse();
    }

    @Test
    void operationNamesAreUniqueAcrossFileAndAdminOperations() {
        Set<String> ids = new HashSet<>();
        Arrays.stream(WorkspaceOperation.values()).forEach(o -> assertThat(ids.add(o.id())).as(o.id()).isTrue());
        Arrays.stream(WorkspaceAdminOperations.Operation.values())
                .forEach(o -> assertThat(ids.add(o.id())).as(o.id()).isTrue());
        assertThat(WorkspaceOperation.of("WRITE_FILE")).isEqualTo(WorkspaceOperation.WRITE_FILE);
        assertThat(WorkspaceOperation.of("list_workspaces")).as("answered by the admin operations").isNull();
        assertThat(WorkspaceOperation.of("rm -rf")).isNull();
    }

    @Test
    void aDryRunEditChangesNothingSoNeedsNoLockToken() {
        org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext();
        org.apache.camel.support.DefaultMessage message = new org.apache.camel.support.DefaultMessage(camel);
        message.setHeader("path", "a/b.txt");
        assertThat(WorkspaceOperation.EDIT_FILE.changedPaths(new Args(message))).hasSize(1);
        message.setHeader("dryRun", true);
        assertThat(WorkspaceOperation.EDIT_FILE.changedPaths(new Args(message))).isEmpty();
        message.setHeader("source", "a.txt");
        message.setHeader("destination", "b.txt");
        assertThat(WorkspaceOperation.MOVE_FILE.changedPaths(new Args(message))).extracting(Object::toString)
                .containsExactly("a.txt", "b.txt");
        assertThat(WorkspaceOperation.COPY_FILE.changedPaths(new Args(message))).extracting(Object::toString)
                .containsExactly("b.txt");
    }
}
