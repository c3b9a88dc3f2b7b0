package dev.caravan;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.nio.file.Path;
import java.util.Map;

/**
 * Points the embedded H2 database into the data directory unless a datasource is configured, resolving the
 * directory to an absolute path (H2 refuses paths relative to the working directory).
 */
public class DataDirDefaults implements EnvironmentPostProcessor {
    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (env.containsProperty("spring.datasource.url")) {
            return;
        }
        Path dir = Path.of(env.getProperty("caravan.data-dir", "data")).toAbsolutePath().normalize();
        env.getPropertySources().addLast(new MapPropertySource("caravanDataDir", Map.of(
                "spring.datasource.url", "jdbc:h2:file:" + dir.resolve("caravan") + ";DB_CLOSE_ON_EXIT=FALSE",
                "spring.datasource.username", "sa")));
    }
}
