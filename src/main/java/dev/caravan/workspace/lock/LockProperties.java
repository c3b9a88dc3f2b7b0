package dev.caravan.workspace.lock;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code caravan.workspace.locks.*}: how long locks last, how often expired ones are deleted. */
@ConfigurationProperties("caravan.workspace.locks")
public class LockProperties {
    /** A lock's lifetime when lock_acquire does not say. */
    private Duration defaultTtl = Duration.ofMinutes(5);
    /** The longest lifetime one acquire or renew grants; longer requests are cut to it. */
    private Duration maxTtl = Duration.ofHours(1);
    /** How often locks that expired over a day ago are deleted (they never block; this keeps the table small). */
    private Duration purgeInterval = Duration.ofHours(1);

    public Duration getPurgeInterval() {
        return purgeInterval;
    }

    public void setPurgeInterval(Duration purgeInterval) {
        this.purgeInterval = purgeInterval;
    }

    public Duration getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(Duration defaultTtl) {
        this.defaultTtl = defaultTtl;
    }

    public Duration getMaxTtl() {
        return maxTtl;
    }

    public void setMaxTtl(Duration maxTtl) {
        this.maxTtl = maxTtl;
    }
}
