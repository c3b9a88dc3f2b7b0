package dev.caravan.knowledge;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.support.TestDatabases;
import dev.caravan.workspace.WorkspaceConfig;
import dev.caravan.workspace.Workspaces;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A knowledge service on a real H2 database, a real local workspace "default" and the real model. */
final class KnowledgeFixture implements AutoCloseable {
    final HikariDataSource db;
    final Workspaces workspaces;
    final CountingModel model = new CountingModel();
    final KnowledgeStore store;
    final Path data;
    final Path root;
    /** The environment ${ENV} references of remote models are resolved from. */
    final Map<String, String> env = new java.util.concurrent.ConcurrentHashMap<>();
    KnowledgeService service;

    KnowledgeFixture(Path data) {
        this(data, TestDatabases.h2());
    }

    KnowledgeFixture(Path data, HikariDataSource db) {
        this.data = data;
        this.db = db;
        this.workspaces = new Workspaces(data, 3, n -> null);
        workspaces.apply(List.of(new WorkspaceConfig("default", WorkspaceConfig.Backend.LOCAL, null, null, null, 3,
                null)));
        this.root = workspaces.defaultRoot("default");
        this.store = new KnowledgeStore(new JdbcTemplate(db), new TransactionTemplate(
                new DataSourceTransactionManager(db)), Clock.systemUTC());
        this.service = start(Duration.ofMinutes(2));
    }

    KnowledgeService start(Duration lease) {
        return new KnowledgeService(workspaces, store, new EmbeddingModels(model, env::get), new Extractor(),
                new KnowledgeService.Settings(data.resolve("knowledge"), 2, lease, 3, 16));
    }

    /** Another node on the same database and workspace: its own index directory and model counter. */
    KnowledgeService node(String name, EmbeddingModel nodeModel) {
        return new KnowledgeService(workspaces, store, new EmbeddingModels(nodeModel, env::get), new Extractor(),
                new KnowledgeService.Settings(data.resolve("knowledge-" + name), 2, Duration.ofMinutes(2), 3, 16));
    }

    KnowledgeService declareKb() {
        service.declare(Map.of("name", "kb", "sources", List.of(Map.of("workspace", "default",
                "include", List.of("kb/**")))));
        return service;
    }

    @Override
    public void close() {
        service.close();
        workspaces.close();
        db.close();
    }
}
