package dev.caravan.ops;

import dev.caravan.server.CallRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

import java.time.Duration;

/**
 * On shutdown, before any part stops (Spring Boot has just set readiness to REFUSING_TRAFFIC): new MCP requests are
 * refused with 503 and Retry-After, and those in flight may finish, up to the shutdown phase timeout. Only then do
 * the parts stop (the MCP streams close, Camel stops its routes, the web server waits for what is left).
 */
final class GracefulDrain implements ApplicationListener<ContextClosedEvent> {
    private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);

    private final CallRegistry calls;
    private final Duration timeout;

    GracefulDrain(CallRegistry calls, Duration timeout) {
        this.calls = calls;
        this.timeout = timeout;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        int inFlight = calls.requestsInFlight();
        if (inFlight > 0) {
            log.info("Shutting down: refusing new MCP requests, waiting up to {} s for {} in flight",
                    timeout.toSeconds(), inFlight);
        }
        if (!calls.drain(timeout)) {
            log.warn("Shutting down with {} MCP request(s) still running after {} s "
                    + "(spring.lifecycle.timeout-per-shutdown-phase)", calls.requestsInFlight(), timeout.toSeconds());
        }
    }
}
