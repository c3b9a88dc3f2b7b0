package dev.caravan.workspace.lock;

import dev.caravan.tool.ToolFailure;

import java.util.List;

/**
 * A call refused because of someone's lock: a mutation on a locked path without the lock's token, or an acquire
 * that conflicts with a held lock. The message names holder, mode and expiry and says what to do; the HTTP file
 * API answers it with 423 Locked.
 */
public class LockedException extends ToolFailure {
    private final transient List<WorkspaceLock> blocking;

    public LockedException(String message, List<WorkspaceLock> blocking) {
        super(message);
        this.blocking = List.copyOf(blocking);
    }

    /** The live locks that stood in the way (none when another write to the same path held this one up too long). */
    public List<WorkspaceLock> blocking() {
        return blocking;
    }
}
