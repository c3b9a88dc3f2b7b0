package dev.caravan.workspace.lock;

import dev.caravan.core.Periodic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;

/** Wires workspace locks: the repository on the application's database and the lock service. */
@Configuration
@EnableConfigurationProperties(LockProperties.class)
public class LockConfiguration {

    @Bean
    LockRepository lockRepository(JdbcTemplate jdbc) {
        return new LockRepository(jdbc);
    }

    @Bean
    LockService lockService(LockRepository repository, TransactionTemplate tx, LockProperties properties) {
        return new LockService(repository, tx, properties.getDefaultTtl(), properties.getMaxTtl(),
                Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    LockPurge lockPurge(LockService locks, LockProperties properties, ObjectProvider<Periodic.Guard> singleton) {
        return new LockPurge(locks, properties.getPurgeInterval(), singleton.getIfAvailable(() -> Periodic.Guard.EVERY_NODE));
    }
}
