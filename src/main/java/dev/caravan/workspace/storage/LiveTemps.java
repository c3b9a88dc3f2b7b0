package dev.caravan.workspace.storage;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Temp files that writes in this JVM are using right now, which a sweep of abandoned ones must leave alone. */
final class LiveTemps {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    private LiveTemps() {
    }

    static void add(Path temp) {
        LIVE.add(temp.toAbsolutePath());
    }

    static void remove(Path temp) {
        LIVE.remove(temp.toAbsolutePath());
    }

    static boolean contains(Path temp) {
        return LIVE.contains(temp.toAbsolutePath());
    }
}
