package dev.caravan.workspace.lock;

import dev.caravan.workspace.storage.WorkspacePath;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * What every mutation of a workspace passes (the MCP file tools through {@code FileOperations}, later the HTTP file
 * API and upload shares): a change to a path that a live lock overlaps is allowed only when the call presents that
 * lock's token.
 */
public interface LockGuard {
    /** Lets everything through: for callers without a lock store (component tests). */
    LockGuard NONE = new LockGuard() {
        @Override
        public <T> T guarded(String workspace, List<WorkspacePath> paths, Collection<String> tokens, Supplier<T> change) {
            return change.get();
        }

        @Override
        public void check(String workspace, List<WorkspacePath> paths, Collection<String> tokens) {
        }
    };

    /**
     * Runs {@code change} (the write itself) unless a live lock not among {@code tokens} overlaps one of
     * {@code paths}; no conflicting lock can be acquired on any node until {@code change} returns.
     *
     * @throws LockedException naming the lock in the way; {@code change} did not run
     */
    <T> T guarded(String workspace, List<WorkspacePath> paths, Collection<String> tokens, Supplier<T> change);

    /**
     * The same test without the change: a quick refusal before, say, reading a request body. It does not keep a
     * lock from being taken a moment later, so the write itself still goes through {@link #guarded}.
     *
     * @throws LockedException naming the lock in the way
     */
    void check(String workspace, List<WorkspacePath> paths, Collection<String> tokens);
}
