package dev.caravan;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.core.env.Environment;

import java.nio.file.Path;

/**
 * Points the embedded H2 database into the data directory unless a datasource URL is configured, resolving the
 * directory to an absolute path (H2 refuses paths relative to the working directory).
 */
public class DataDirDefaults implements BeanPostProcessor {
    private final Environment env;

    public DataDirDefaults(Environment env) {
        this.env = env;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof DataSourceProperties ds && ds.getUrl() == null) {
            Path dir = Path.of(env.getProperty("caravan.data-dir", "data")).toAbsolutePath().normalize();
            ds.setUrl("jdbc:h2:file:" + dir.resolve("caravan"));
            ds.setUsername("sa");
        }
        return bean;
    }
}
