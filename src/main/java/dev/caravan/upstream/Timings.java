package dev.caravan.upstream;

import java.time.Duration;

/**
 * How connections are watched and retried: a ping every {@code healthInterval}; after a failure, a new attempt
 * after {@code backoffInitial}, doubling up to {@code backoffMax}.
 */
record Timings(Duration healthInterval, Duration backoffInitial, Duration backoffMax) {

    Duration backoff(int failures) {
        long millis = backoffInitial.toMillis();
        for (int i = 1; i < failures && millis < backoffMax.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, backoffMax.toMillis()));
    }
}
