package dev.caravan.routes;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;

/** {@code caravan.routes-dir} and {@code caravan.routes-poll-interval}: where route files are and how often to look. */
@ConfigurationProperties("caravan")
public class RoutesProperties {
    /** Route files (*.yaml, *.yml, recursively); watched for changes. */
    private Path routesDir = Path.of("routes");
    /** How often the routes directory is scanned for changes. */
    private Duration routesPollInterval = Duration.ofMillis(500);

    public Path getRoutesDir() {
        return routesDir;
    }

    public void setRoutesDir(Path routesDir) {
        this.routesDir = routesDir;
    }

    public Duration getRoutesPollInterval() {
        return routesPollInterval;
    }

    public void setRoutesPollInterval(Duration routesPollInterval) {
        this.routesPollInterval = routesPollInterval;
    }
}
