package dev.caravan.workspace.audit;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;

/** Wires the audit trail of workspace operations. */
@Configuration
@EnableConfigurationProperties(AuditProperties.class)
public class AuditConfiguration {

    @Bean
    AuditRepository auditRepository(JdbcTemplate jdbc) {
        return new AuditRepository(jdbc);
    }

    @Bean(destroyMethod = "close")
    AuditTrail auditTrail(AuditRepository repository, AuditProperties properties) {
        AuditTrail trail = new AuditTrail(repository, properties.getQueueCapacity(), properties.getRetention(),
                properties.getPurgeInterval(), Clock.systemUTC());
        trail.waitForChanges(properties.getChangeStoreWait());
        return trail;
    }
}
