package dev.caravan.workspace.share;

import dev.caravan.core.CaravanSettings;
import dev.caravan.workspace.WorkspaceProperties;
import dev.caravan.workspace.Workspaces;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;

/** Wires share links: the store of links and the share tools of the {@code workspace:} component. */
@Configuration
public class ShareConfiguration {

    @Bean
    Shares shares(JdbcTemplate jdbc, Workspaces workspaces, WorkspaceProperties properties, CaravanSettings caravan) {
        return new Shares(new ShareRepository(jdbc), workspaces, new ShareSettings(properties.getShareDefaultExpiry(),
                properties.getShareMaxExpiry(), caravan.getPublicBaseUrl()), Clock.systemUTC());
    }

    @Bean
    ShareTools shareTools(Shares shares) {
        return new ShareTools(shares, Clock.systemUTC());
    }
}
