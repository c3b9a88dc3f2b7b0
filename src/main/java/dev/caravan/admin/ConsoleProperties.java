package dev.caravan.admin;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code caravan.console.*}: the web console's sign-in. */
@ConfigurationProperties("caravan.console")
public class ConsoleProperties {
    /**
     * How long a console sign-in lasts before the admin token must be given again (the session cookie's lifetime;
     * it is not renewed while in use).
     */
    private Duration sessionTtl = Duration.ofHours(8);

    public Duration getSessionTtl() {
        return sessionTtl;
    }

    public void setSessionTtl(Duration sessionTtl) {
        if (sessionTtl == null || sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("caravan.console.session-ttl must be positive, e.g. 8h");
        }
        this.sessionTtl = sessionTtl;
    }
}
