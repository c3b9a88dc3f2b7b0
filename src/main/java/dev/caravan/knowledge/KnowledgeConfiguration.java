package dev.caravan.knowledge;

import dev.caravan.connectors.ConnectorConfigException;
import dev.caravan.core.CaravanSettings;
import dev.caravan.core.Periodic;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.audit.AuditTrail;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wires knowledge bases: the model (loaded on first use), the store, the service with its own worker pool, the
 * {@code knowledge:} component, the change feed from the audit trail and the periodic reconcile.
 */
@Configuration
@EnableConfigurationProperties(KnowledgeProperties.class)
public class KnowledgeConfiguration {
    private static final Logger log = LoggerFactory.getLogger(KnowledgeConfiguration.class);

    @Bean(destroyMethod = "close")
    KnowledgeService knowledgeService(Workspaces workspaces, JdbcTemplate jdbc, TransactionTemplate tx,
                                      CaravanSettings caravan, KnowledgeProperties settings,
                                      Environment environment) {
        AtomicInteger n = new AtomicInteger();
        int embeddingThreads = settings.getEmbeddingThreads();
        EmbeddingModel model = new LazyModel(() -> {
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, embeddingThreads), r -> {
                Thread t = new Thread(r, "caravan-embed-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            return new BgeSmallModel(pool);
        });
        // A remote model's ${ENV} API key is looked up at each request, so a changed variable needs no restart.
        EmbeddingModels models = new EmbeddingModels(model, environment::getProperty);
        return new KnowledgeService(workspaces, new KnowledgeStore(jdbc, tx, Clock.systemUTC()), models,
                new Extractor(), new KnowledgeService.Settings(caravan.getDataDir().resolve("knowledge"),
                Math.max(1, settings.getWorkers()), settings.getLease(), settings.getMaxAttempts(), 16));
    }

    @Bean
    KnowledgeViews knowledgeViews(KnowledgeService service, CaravanSettings caravan) {
        return new KnowledgeViews(service, caravan.getPublicBaseUrl());
    }

    // Camel finds components among the beans by name.
    @Bean("knowledge")
    KnowledgeComponent knowledgeComponent(KnowledgeService service, KnowledgeViews views) {
        return new KnowledgeComponent(service, views);
    }

    /**
     * At start: the bases of knowledge.yaml and those declared through the API, then a reconcile; afterwards the
     * workers run when a change is queued and at every reconcile interval (which also catches files changed behind
     * Caravan's back and documents whose worker died).
     */
    @Bean
    SmartLifecycle knowledgeLifecycle(KnowledgeService service, AuditTrail audit, CaravanSettings caravan,
                                      ObjectProvider<CamelContext> camelContext, KnowledgeProperties settings) {
        Periodic ingest = Periodic.onRequest("knowledge-ingest", Duration.ofMillis(100), service::drain);
        ChangeFeed feed = new ChangeFeed(service, ingest::request);
        service.useWake(ingest::request);
        Periodic reconcile = Periodic.every("knowledge-reconcile", Duration.ofSeconds(2),
                settings.getReconcileInterval(), Periodic.Guard.EVERY_NODE, () -> {
                    loadFile(service, caravan);
                    service.loadStored();
                    service.pruneFeed(settings.getFeedRetention());
                    service.reconcile();
                    service.drain();
                });
        // Every node answers search: its indexes apply what the other nodes recorded (and bases they declared).
        Periodic follow = Periodic.every("knowledge-follow", settings.getFollowInterval(),
                settings.getFollowInterval(), Periodic.Guard.EVERY_NODE, () -> {
                    service.loadStored();
                    service.follow();
                    service.completeModelChanges();
                });
        // Looked up on first use: asking for the CamelContext while beans are created would create it before the
        // CamelContextConfiguration that starts the route directory exists, and Camel would then never call it.
        service.useRunner(new PipelineRoutes(camelContext::getObject, service));
        return new PhasedLifecycle("knowledge", () -> {
            ingest.start();
            feed.start();
            audit.addListener(feed);
            reconcile.start();
            follow.start();
        }, () -> {
            follow.close();
            reconcile.close();
            feed.close();
            ingest.close();
        });
    }

    private static void loadFile(KnowledgeService service, CaravanSettings caravan) {
        try {
            service.applyFile(KnowledgeFile.read(caravan.getConnectorsDir().resolve("knowledge.yaml"),
                    service.parser()));
        } catch (ConnectorConfigException e) {
            // The bases in use stay as they were.
            log.warn("knowledge.yaml not applied: {}", e.getMessage());
        }
    }
}
