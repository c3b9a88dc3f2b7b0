package dev.caravan;

import java.util.concurrent.ForkJoinPool;

/**
 * On a machine (or container) with 2 CPUs or fewer the JDK sizes the common pool to 1, and {@code CompletableFuture}
 * then runs every default-executor async stage on a new thread. {@code java.net.http.HttpClient.sendAsync} moves each
 * response to that executor, so every request Caravan sends to an upstream over HTTP started and ended a thread
 * (measured with bench/upstream.sh: most of the relay's CPU on 2 cores). Two common-pool threads avoid it; the
 * property is set only when nobody set it, and only works before anything touches the common pool, so first thing
 * in {@code main}.
 */
final class CommonPool {
    static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private CommonPool() {
    }

    static void atLeastTwoThreads() {
        if (System.getProperty(PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
            System.setProperty(PARALLELISM, "2");
        }
    }

    /** Prints the common pool's parallelism after {@link #atLeastTwoThreads()} (for the test, in a fresh JVM). */
    public static void main(String[] args) {
        atLeastTwoThreads();
        System.out.println(ForkJoinPool.getCommonPoolParallelism());
    }
}
