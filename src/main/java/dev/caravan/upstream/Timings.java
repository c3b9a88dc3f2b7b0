package dev.caravan.upstream;

import java.time.Duration;

/**
 * How connections are watched and retried: a ping every {@code healthInterval}; after a failure, a new attempt
 * after {@code backoffInitial}, doubling up to {@code backoffMax}; at most {@code maxConcurrentCalls} calls in flight
 * to an upstream that sets no limit of its own.
 */
record Timings(Duration healthInterval, Duration backoffInitial, Duration backoffMax, int maxConcurrentCalls) {
    static final int DEFAULT_MAX_CONCURRENT_CALLS = 64;

    Timings(Duration healthInterval, Duration backoffInitial, Duration backoffMax) {
        this(healthInterval, backoffInitial, backoffMax, DEFAULT_MAX_CONCURRENT_CALLS);
    }

    Duration backoff(int failures) {
        long millis = backoffInitial.toMillis();
        for (int i = 1; i < failures && millis < backoffMax.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, backoffMax.toMillis()));
    }
}
