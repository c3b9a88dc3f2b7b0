package dev.caravan.tool;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code caravan.tools.*}: how long tool, resource and prompt routes may run. */
@ConfigurationProperties("caravan.tools")
public class ToolProperties {
    /** How long a tool, resource or prompt route may run before it is stopped. */
    private Duration timeout = Duration.ofSeconds(60);
    /** Per-tool overrides, by tool name, e.g. caravan.tools.timeouts.slow_report=5m. */
    private Map<String, Duration> timeouts = new LinkedHashMap<>();

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public Map<String, Duration> getTimeouts() {
        return timeouts;
    }

    public void setTimeouts(Map<String, Duration> timeouts) {
        this.timeouts = timeouts;
    }
}
