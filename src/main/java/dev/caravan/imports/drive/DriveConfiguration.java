package dev.caravan.imports.drive;

import dev.caravan.core.CaravanSettings;
import dev.caravan.upstream.oauth.AccountOAuth;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/** The four drives as import sources (found by {@code ImportConfiguration} among the beans), their connections. */
@Configuration
@EnableConfigurationProperties(DriveProperties.class)
public class DriveConfiguration {

    @Bean
    DriveAccounts driveAccounts(JdbcTemplate jdbc, CaravanSettings caravan, DriveProperties properties,
                                Environment environment) {
        return new DriveAccounts(new AccountOAuth(jdbc, caravan), properties, caravan::getPublicBaseUrl,
                () -> "http://localhost:" + environment.getProperty("local.server.port",
                        environment.getProperty("server.port", "8080")));
    }

    @Bean
    GoogleDriveSource googleDriveSource(DriveAccounts accounts, DriveProperties properties) {
        return new GoogleDriveSource(accounts, properties);
    }

    @Bean
    OneDriveSource oneDriveSource(DriveAccounts accounts, DriveProperties properties) {
        return new OneDriveSource(accounts, properties);
    }

    @Bean
    DropboxSource dropboxSource(DriveAccounts accounts, DriveProperties properties) {
        return new DropboxSource(accounts, properties);
    }

    @Bean
    BoxSource boxSource(DriveAccounts accounts, DriveProperties properties) {
        return new BoxSource(accounts, properties);
    }

    // Camel finds components among the beans by name.
    @Bean("drives")
    DrivesComponent drivesComponent(DriveAccounts accounts) {
        return new DrivesComponent(accounts);
    }
}
