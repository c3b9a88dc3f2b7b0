package dev.caravan.workspace.component;

import dev.caravan.core.Caller;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.lock.LockMode;
import dev.caravan.workspace.lock.LockService;
import dev.caravan.workspace.lock.WorkspaceLock;
import dev.caravan.workspace.storage.WorkspacePath;
import org.apache.camel.Message;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** lock_acquire, lock_status, lock_renew and lock_release: arguments from headers, results as text for agents. */
final class LockOperations {
    /** lock_acquire: the new lock's token (also in the result text). */
    static final String LOCK_TOKEN = "CaravanWorkspaceLockToken";
    /** lock_acquire, lock_renew, lock_release: the locked path ("" for the whole workspace). */
    static final String LOCK_PATH = "CaravanWorkspaceLockPath";
    /** The longest lock_acquire waits for a conflicting lock to go. */
    static final int MAX_WAIT_SECONDS = 30;

    private final LockService locks;

    LockOperations(LockService locks) {
        this.locks = locks;
    }

    private LockService locks() {
        if (locks == null) {
            throw new ToolFailure("Locks are not available on this hub.");
        }
        return locks;
    }

    Object acquire(Workspace ws, Args args, Caller caller, Message message) {
        LockService service = locks();
        WorkspacePath path = lockPath(args);
        String modeName = args.string("mode");
        LockMode mode = modeName == null || modeName.isBlank() ? LockMode.EXCLUSIVE : LockMode.of(modeName);
        if (mode == null) {
            throw new ToolFailure("Argument 'mode' must be exclusive or shared, got '" + modeName + "'.");
        }
        Duration ttl = ttl(args);
        Integer wait = args.integer("waitSeconds", 0, MAX_WAIT_SECONDS);
        LockService.Acquired acquired = service.acquire(ws.name(), path, mode, ttl, caller.principal(),
                wait == null ? Duration.ZERO : Duration.ofSeconds(wait));
        WorkspaceLock lock = acquired.lock();
        message.setHeader(LOCK_TOKEN, acquired.token());
        message.setHeader(LOCK_PATH, lock.path());
        long seconds = Duration.between(lock.acquiredAt(), lock.expiresAt()).toSeconds();
        return "Locked " + lock.shownPath() + " (" + mode.id() + ") in workspace '" + ws.name() + "' for "
                + lock.holder() + " until " + lock.expiresAt() + " (" + seconds + " s)."
                + (acquired.ttlCapped() ? " ttlSeconds was above the cap of " + service.maxTtl().toSeconds()
                + " s, so the lock lasts " + seconds + " s; renew it with lock_renew to keep it longer." : "")
                + "\nlockToken: " + acquired.token()
                + "\nPass lockToken to write_file, edit_file, create_directory, move_file, copy_file, delete_file and "
                + "restore_version on paths under it; renew it with lock_renew before it expires and release it with "
                + "lock_release when you are done.";
    }

    Object status(Workspace ws, Args args) {
        LockService service = locks();
        WorkspacePath path = WorkspacePath.of(args.path("path", true));
        List<WorkspaceLock> held = service.status(ws.name(), path);
        String where = path.isRoot() ? "workspace '" + ws.name() + "'"
                : "'" + path + "' (with the directories above it and everything under it) in workspace '"
                + ws.name() + "'";
        if (held.isEmpty()) {
            return "No locks are held on " + where + ".";
        }
        Instant now = service.now();
        StringBuilder b = new StringBuilder("Locks held on " + where + " (now " + now + "):\n");
        for (WorkspaceLock l : held) {
            long left = Math.max(0, Duration.between(now, l.expiresAt()).toSeconds());
            b.append(l.mode().id()).append("  ").append(l.path().isEmpty() ? "/ (whole workspace)" : l.path())
                    .append("  held by ").append(l.holder()).append("  since ").append(l.acquiredAt())
                    .append("  until ").append(l.expiresAt()).append(" (").append(left).append(" s left)\n");
        }
        return b.toString().stripTrailing();
    }

    Object renew(Workspace ws, Args args, Message message) {
        LockService service = locks();
        LockService.Acquired renewed = service.renew(ws.name(), token(args), ttl(args));
        WorkspaceLock l = renewed.lock();
        message.setHeader(LOCK_PATH, l.path());
        return "Renewed your " + l.mode().id() + " lock on " + l.shownPath() + " until " + l.expiresAt() + "."
                + (renewed.ttlCapped() ? " ttlSeconds was above the cap of " + service.maxTtl().toSeconds()
                + " s, so it was cut to the cap." : "");
    }

    Object release(Workspace ws, Args args, Message message) {
        WorkspaceLock l = locks().release(ws.name(), token(args));
        message.setHeader(LOCK_PATH, l.path());
        return "Released your " + l.mode().id() + " lock on " + l.shownPath() + ".";
    }

    /** The path to lock: required, "" or "/" for the whole workspace. */
    private static WorkspacePath lockPath(Args args) {
        String raw = args.string("path");
        if (raw == null) {
            throw new ToolFailure("Argument 'path' is required: the file or directory to lock, relative to the "
                    + "workspace root (\"/\" locks the whole workspace).");
        }
        return raw.strip().equals("/") ? WorkspacePath.ROOT : WorkspacePath.of(raw);
    }

    private static Duration ttl(Args args) {
        Integer seconds = args.integer("ttlSeconds", 1, Integer.MAX_VALUE);
        return seconds == null ? null : Duration.ofSeconds(seconds);
    }

    private static String token(Args args) {
        String token = args.string("lockToken");
        if (token == null || token.isBlank()) {
            throw new ToolFailure("Argument 'lockToken' is required: the token lock_acquire returned.");
        }
        return token;
    }
}
