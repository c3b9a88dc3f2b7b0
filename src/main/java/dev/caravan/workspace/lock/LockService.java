package dev.caravan.workspace.lock;

import dev.caravan.server.Credentials;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.WorkspacePath;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.transaction.support.TransactionTemplate;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Workspace locks, held in the database so they bind every node.
 *
 * <p><b>Why two nodes cannot both acquire conflicting locks:</b> an acquire runs in one transaction that first takes
 * the workspace's guard row {@code FOR UPDATE}, then reads the live overlapping locks and inserts its own. A second
 * acquire on any node blocks on the guard row until the first commits, and then reads its lock.
 *
 * <p><b>Why a write cannot slip past a lock taken while it runs:</b> a mutation checks the locks and writes while
 * holding the guard against acquires: on this node a per-workspace read lock (acquires take the write lock), and on
 * PostgreSQL additionally the guard row {@code FOR SHARE} in a transaction that spans the write. An acquire anywhere
 * therefore waits until every mutation that passed its check has finished writing; a mutation that starts later
 * reads the new lock (READ COMMITTED reads what committed before each statement).
 *
 * <p><b>Why compare-and-swap holds across nodes:</b> on PostgreSQL a mutation also takes a transaction-scoped
 * advisory lock per (workspace, path) it changes, so writes to one path queue across nodes from precondition check
 * to commit (an {@code ifMatch} or create-only write on a shared folder would otherwise race a write on another
 * node between its check and its rename). Every write takes it, not only conditional ones: an unconditional write
 * slipping between another node's check and rename would be lost just the same. Writes to different paths do not
 * wait for each other. H2 is embedded and serves one process, so the node-local lock suffices there (H2 has no FOR SHARE). The
 * price is a pooled connection held for the duration of each write on PostgreSQL.
 *
 * <p>Times come from this node's clock; nodes are expected to keep NTP time (a skew of seconds only shifts when a
 * lock counts as expired).
 */
public class LockService implements LockGuard {
    /** How long an acquire waits on this node for writes in progress in the workspace before answering "busy". */
    static final Duration GUARD_WAIT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "lck_";

    private final LockRepository repository;
    private final TransactionTemplate tx;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final Clock clock;
    private final boolean shareGuardInDatabase;
    private final Map<String, ReentrantReadWriteLock> local = new ConcurrentHashMap<>();
    private final Set<String> guarded = ConcurrentHashMap.newKeySet();

    public LockService(LockRepository repository, TransactionTemplate tx, Duration defaultTtl, Duration maxTtl,
                       Clock clock) {
        if (defaultTtl.compareTo(maxTtl) > 0 || defaultTtl.isNegative() || defaultTtl.isZero()) {
            throw new IllegalArgumentException("caravan.workspace.locks.default-ttl (" + defaultTtl + ") must be "
                    + "positive and at most max-ttl (" + maxTtl + ")");
        }
        this.repository = repository;
        this.tx = tx;
        this.defaultTtl = defaultTtl;
        this.maxTtl = maxTtl;
        this.clock = clock;
        this.shareGuardInDatabase = repository.postgres();
    }

    public Duration defaultTtl() {
        return defaultTtl;
    }

    public Duration maxTtl() {
        return maxTtl;
    }

    /** A new lock and the token that proves holding it (shown once; only its hash is stored). */
    public record Acquired(WorkspaceLock lock, String token, boolean ttlCapped) {
    }

    /**
     * Takes a lock, or fails naming the lock in the way. With a positive {@code wait}, retries until it is free or
     * the wait is over.
     *
     * @param ttl null for the default; longer than the cap is cut to the cap ({@link Acquired#ttlCapped()})
     */
    public Acquired acquire(String workspace, WorkspacePath path, LockMode mode, Duration ttl, String holder,
                            Duration wait) {
        Granted granted = granted(ttl);
        long deadline = System.nanoTime() + (wait == null ? 0 : wait.toNanos());
        while (true) {
            try {
                return tryAcquire(workspace, path, mode, granted.ttl(), holder, granted.capped());
            } catch (LockedException busy) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw busy;
                }
                sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200));
            }
        }
    }

    private Acquired tryAcquire(String workspace, WorkspacePath path, LockMode mode, Duration ttl, String holder,
                                boolean capped) {
        ensureGuard(workspace);
        Lock exclusive = local(workspace).writeLock();
        lockLocally(exclusive, workspace);
        try {
            return tx.execute(status -> {
                repository.lockGuard(workspace);
                Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                List<WorkspaceLock> conflicts = repository.overlapping(workspace, path, now).stream()
                        .map(LockRepository.Held::lock).filter(l -> !l.mode().coexistsWith(mode)).toList();
                if (!conflicts.isEmpty()) {
                    throw new LockedException(conflictMessage(path, mode, conflicts.get(0), now), conflicts);
                }
                String token = newToken();
                WorkspaceLock lock = new WorkspaceLock(UUID.randomUUID().toString(), workspace, path.toString(),
                        mode, holder, now, now.plus(ttl));
                repository.insert(lock, Credentials.hash(token));
                return new Acquired(lock, token, capped);
            });
        } catch (PessimisticLockingFailureException | QueryTimeoutException e) {
            throw busy();
        } finally {
            exclusive.unlock();
        }
    }

    /** A TTL as granted: the one asked for (null: the default), cut to the cap, and whether it was cut. */
    private record Granted(Duration ttl, boolean capped) {
    }

    private Granted granted(Duration ttl) {
        Duration asked = ttl == null ? defaultTtl : ttl;
        if (asked.isNegative() || asked.isZero()) {
            throw new ToolFailure("ttlSeconds must be at least 1.");
        }
        boolean capped = asked.compareTo(maxTtl) > 0;
        return new Granted(capped ? maxTtl : asked, capped);
    }

    /** Extends a live lock to now + ttl (capped); an expired or unknown token is refused. */
    public Acquired renew(String workspace, String token, Duration ttl) {
        Granted granted = granted(ttl);
        String hash = Credentials.hash(token.strip());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant until = now.plus(granted.ttl());
        if (!repository.renew(workspace, hash, until, now)) {
            throw new ToolFailure(repository.findByToken(workspace, hash)
                    .map(l -> "Your lock on " + l.shownPath() + " expired at " + l.expiresAt() + " and cannot be "
                            + "renewed; acquire a new one with lock_acquire (and re-read what may have changed).")
                    .orElse("No lock in workspace '" + workspace + "' has that token; it was released, or the "
                            + "token is wrong. lock_status shows the locks held."));
        }
        WorkspaceLock lock = repository.findByToken(workspace, hash).orElseThrow();
        return new Acquired(lock, null, granted.capped());
    }

    /** Releases the lock whose token this is; refused for an unknown token. Releasing an expired lock is fine. */
    public WorkspaceLock release(String workspace, String token) {
        return repository.delete(workspace, Credentials.hash(token.strip())).orElseThrow(() -> new ToolFailure(
                "No lock in workspace '" + workspace + "' has that token; only the holder's token releases a lock "
                        + "(lock_status shows the locks held)."));
    }

    /** Live locks on {@code path}, its ancestors and everything under it. */
    public List<WorkspaceLock> status(String workspace, WorkspacePath path) {
        return repository.overlapping(workspace, path, clock.instant()).stream().map(LockRepository.Held::lock)
                .toList();
    }

    public Instant now() {
        return clock.instant();
    }

    @Override
    public <T> T guarded(String workspace, List<WorkspacePath> paths, Collection<String> tokens, Supplier<T> change) {
        if (paths.isEmpty()) {
            return change.get();
        }
        ensureGuard(workspace);
        Lock shared = local(workspace).readLock();
        lockLocally(shared, workspace);
        try {
            if (!shareGuardInDatabase) {
                check(workspace, paths, tokens);
                return change.get();
            }
            return tx.execute(status -> {
                repository.shareGuard(workspace);
                check(workspace, paths, tokens);
                repository.lockPaths(workspace, paths);
                return change.get();
            });
        } catch (PessimisticLockingFailureException | QueryTimeoutException e) {
            // Locked (HTTP 423), not a plain ToolFailure (which the file API answers with 404).
            throw new LockedException("Another write to " + (paths.size() == 1 ? "'" + paths.get(0) + "'"
                    : "these paths") + " is still in progress; nothing was changed. Retry in a few seconds.", List.of());
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void check(String workspace, List<WorkspacePath> paths, Collection<String> tokens) {
        Set<String> presented = new HashSet<>();
        for (String t : tokens) {
            if (t != null && !t.isBlank()) {
                presented.add(Credentials.hash(t.strip()));
            }
        }
        Instant now = clock.instant();
        for (WorkspacePath p : paths) {
            List<WorkspaceLock> blocking = new ArrayList<>();
            for (LockRepository.Held h : repository.overlapping(workspace, p, now)) {
                if (!presented.contains(h.tokenHash())) {
                    blocking.add(h.lock());
                }
            }
            if (!blocking.isEmpty()) {
                throw new LockedException(lockedMessage(p, blocking.get(0), now, !presented.isEmpty()), blocking);
            }
        }
    }

    /** Deletes locks that expired more than a day ago (expired ones never block; this only keeps the table small). */
    public int purge() {
        return repository.purgeExpired(clock.instant().minus(Duration.ofDays(1)));
    }

    // ---- messages

    private static String describe(WorkspaceLock l, Instant now) {
        long seconds = Math.max(0, Duration.between(now, l.expiresAt()).toSeconds());
        return l.mode().id() + " lock on " + l.shownPath() + " held by " + l.holder() + " until " + l.expiresAt()
                + " (" + (seconds >= 120 ? seconds / 60 + " min" : seconds + " s") + " from now)";
    }

    static String lockedMessage(WorkspacePath p, WorkspaceLock l, Instant now, boolean tokenGiven) {
        return (p.isRoot() ? "The workspace root" : "'" + p + "'") + " is locked: " + describe(l, now)
                + ". Nothing was changed. " + (tokenGiven ? "The lockToken you gave is not that lock's token. " : "")
                + "If you hold that lock, pass its token as lockToken; otherwise wait until it is released or expires "
                + "and retry (lock_status shows the locks; lock_acquire with waitSeconds waits for one).";
    }

    private static String conflictMessage(WorkspacePath p, LockMode mode, WorkspaceLock l, Instant now) {
        return "Cannot take " + (mode == LockMode.EXCLUSIVE ? "an exclusive" : "a shared") + " lock on "
                + (p.isRoot() ? "the whole workspace" : "'" + p + "'") + ": it overlaps the " + describe(l, now)
                + ". Retry after it is released or expires, or pass waitSeconds to wait for it"
                + (mode == LockMode.SHARED ? "." : (l.mode() == LockMode.SHARED ? "; a shared lock can join it." : "."));
    }

    private static ToolFailure busy() {
        return new ToolFailure("The workspace is busy with writes in progress, so the lock could not be taken yet; "
                + "retry in a few seconds.");
    }

    // ---- plumbing

    private ReentrantReadWriteLock local(String workspace) {
        return local.computeIfAbsent(workspace, w -> new ReentrantReadWriteLock());
    }

    private static void lockLocally(Lock lock, String workspace) {
        try {
            if (!lock.tryLock(GUARD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolFailure("The call was interrupted; retry.");
        }
    }

    /** The guard row must exist before anyone relies on it: a mutation's FOR SHARE on a missing row guards nothing. */
    private void ensureGuard(String workspace) {
        if (!guarded.contains(workspace)) {
            repository.ensureGuard(workspace);
            guarded.add(workspace);
        }
    }

    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolFailure("The call was interrupted; retry.");
        }
    }
}
