package dev.caravan.support;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs a blocking call (a tool call meant to hang, or to be cut off) on a thread of its own.
 * <p>
 * Not on the common pool, which {@code CompletableFuture.supplyAsync(supplier)} would use: every java.net.http
 * client in this JVM (the tests' SDK clients and the in-process Caravan's upstream clients) completes its responses
 * there, and on a 2-core machine the pool has one worker. Java 17 runs {@code supplyAsync} on a new thread when the
 * pool is that small; Java 25 uses the pool anyway, so a blocked call parked its only worker and stalled every HTTP
 * response in the JVM until it ended.
 */
public final class Background {
    private Background() {
    }

    public static <T> CompletableFuture<T> call(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, task -> {
            Thread thread = new Thread(task, "test-background-call");
            thread.setDaemon(true);
            thread.start();
        });
    }
}
