package dev.caravan;

import dev.caravan.core.CaravanSettings;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.bind.Binder;
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
            // Bound like the CaravanSettings bean (not yet made this early), so the default is in one place.
            Path dir = Binder.get(env).bindOrCreate("caravan", CaravanSettings.class).getDataDir()
                    .toAbsolutePath().normalize();
            ds.setUrl("jdbc:h2:file:" + dir.resolve("caravan"));
            ds.setUsername("sa");
        }
        return bean;
    }
}
