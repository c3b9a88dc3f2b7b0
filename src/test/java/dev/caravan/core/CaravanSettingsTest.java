package dev.caravan.core;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CaravanSettingsTest {

    static CaravanSettings bind(Map<String, Object> environmentVariables) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("test-env", environmentVariables));
        return new Binder(ConfigurationPropertySources.from(env.getPropertySources()))
                .bindOrCreate("caravan", CaravanSettings.class);
    }

    @Test
    void theSecretKeyComesFromTheEnvironmentVariableTheReadmeNames() {
        CaravanSettings settings = bind(Map.of("CARAVAN_SECRET_KEY", "from-the-environment",
                "CARAVAN_DATA_DIR", "/srv/caravan"));
        assertThat(settings.getSecretKey()).isEqualTo("from-the-environment");
        assertThat(settings.getDataDir()).isEqualTo(Path.of("/srv/caravan"));
    }

    @Test
    void unsetMeansTheKeyFileInTheDataDirAndTheKeyNeverShowsInToString() {
        assertThat(bind(Map.of()).getSecretKey()).isNull();
        assertThat(bind(Map.of()).getDataDir()).isEqualTo(Path.of("data"));
        assertThat(bind(Map.of("CARAVAN_SECRET_KEY", "hush-hush")).toString()).doesNotContain("hush-hush");
    }
}
