package dev.caravan.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code caravan.metrics.*}: who may read {@code /actuator/prometheus} besides the admin token. */
@ConfigurationProperties("caravan.metrics")
public class MetricsProperties {
    /**
     * A token that reads only the metrics (for a Prometheus scraper), e.g. from CARAVAN_METRICS_TOKEN. Empty: only
     * the admin token reads them.
     */
    private String token = "";

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token == null ? "" : token.trim();
    }
}
