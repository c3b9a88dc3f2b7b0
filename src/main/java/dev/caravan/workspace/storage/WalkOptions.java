package dev.caravan.workspace.storage;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Bounds of a tree walk. Caps are hard: a walk of a huge tree returns what it found so far, marked truncated.
 *
 * @param maxEntries most entries returned (files and directories)
 * @param maxDepth   1 lists only the start directory's entries; {@link Integer#MAX_VALUE} for no limit
 * @param exclude    paths (relative to the workspace root) to leave out; an excluded directory is not entered
 * @param timeLimit  stop walking after this long
 */
public record WalkOptions(int maxEntries, int maxDepth, Predicate<WorkspacePath> exclude, Duration timeLimit) {
    public WalkOptions {
        if (maxEntries < 1 || maxDepth < 1) {
            throw new IllegalArgumentException("maxEntries and maxDepth must be >= 1");
        }
        if (exclude == null || timeLimit == null || timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("exclude and a positive timeLimit are required");
        }
    }

    /** Everything, up to {@code maxEntries}, within ten seconds. */
    public static WalkOptions limit(int maxEntries) {
        return new WalkOptions(maxEntries, Integer.MAX_VALUE, p -> false, Duration.ofSeconds(10));
    }

    public WalkOptions withMaxDepth(int depth) {
        return new WalkOptions(maxEntries, depth, exclude, timeLimit);
    }

    public WalkOptions excluding(Predicate<WorkspacePath> paths) {
        return new WalkOptions(maxEntries, maxDepth, paths, timeLimit);
    }

    public WalkOptions withTimeLimit(Duration limit) {
        return new WalkOptions(maxEntries, maxDepth, exclude, limit);
    }
}
