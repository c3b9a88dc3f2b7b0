package dev.caravan.knowledge;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shipped ingestion route template (routes/knowledge/ingest.yaml) instantiated per knowledge base: a base may
 * name its own template with a step between extract and chunk (here a redaction that replaces the body with text),
 * the other bases keep the shipped steps, a reloaded template remakes the base's route, and a base whose template is
 * not loaded fails its documents with that reason.
 */
class KnowledgePipelineRouteTest {
    static final String REDACTING = """
            - routeTemplate:
                id: redacting-ingest
                parameters:
                  - name: base
                from:
                  uri: "direct:redacting-{{base}}"
                  steps:
                    - to: "knowledge:{{base}}?operation=extract"
                    - transform:
                        simple: "${body.text().replaceAll('[0-9][0-9][0-9][0-9]+', '%s')}"
                    - to: "knowledge:{{base}}?operation=chunk"
                    - to: "knowledge:{{base}}?operation=embed"
                    - to: "knowledge:{{base}}?operation=upsert"
            """;

    @TempDir
    Path data;
    KnowledgeFixture fx;
    CamelContext camel;

    @BeforeEach
    void setUp() throws Exception {
        fx = new KnowledgeFixture(data);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("knowledge", new KnowledgeComponent(fx.service, new KnowledgeViews(fx.service,
                "http://localhost:8080")));
        camel.start();
        load("ingest.yaml", Files.readString(Path.of("routes/knowledge/ingest.yaml")));
        load("redacting.yaml", REDACTING.formatted("####"));
        fx.service.useRunner(new PipelineRoutes(() -> camel, fx.service));
        Files.createDirectories(fx.root.resolve("kb"));
        Files.writeString(fx.root.resolve("kb/vault.md"), "# Vault\n\nThe vault code is 44172 and the safe opens "
                + "at noon on weekdays.");
    }

    @AfterEach
    void tearDown() {
        camel.stop();
        fx.close();
    }

    void load(String name, String yaml) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromBytes("file:" + name,
                yaml.getBytes(StandardCharsets.UTF_8)));
    }

    void declare(String name, String pipeline) {
        Map<String, Object> d = new java.util.HashMap<>(Map.of("name", name, "sources", List.of(Map.of(
                "workspace", "default", "include", List.of("kb/**")))));
        if (pipeline != null) {
            d.put("pipeline", pipeline);
        }
        fx.service.declare(d);
    }

    String vaultText(String base) {
        return fx.service.search("vault code", base, 1, SearchFilters.NONE, LuceneIndex.Mode.HYBRID).get(0).text();
    }

    @Test
    void eachBaseRunsItsOwnRouteMadeFromItsTemplate() throws Exception {
        declare("plain", null);
        declare("secret", "redacting-ingest");
        fx.service.drain();

        assertThat(camel.getRoute("knowledge-ingest-plain")).as("the shipped template, made for this base").isNotNull();
        assertThat(camel.getRoute("knowledge-ingest-plain").getEndpoint().getEndpointUri())
                .isEqualTo("direct://knowledge-ingest-plain");
        assertThat(camel.getRoute("knowledge-ingest-secret")).isNotNull();
        assertThat(vaultText("plain")).contains("44172");
        assertThat(vaultText("secret")).contains("####").doesNotContain("44172");
        DocumentState d = fx.service.document("secret", "default", "kb/vault.md").orElseThrow();
        assertThat(d.status()).isEqualTo("indexed");

        // The template's file changes: the base's route is made again from the new version at its next document.
        load("redacting.yaml", REDACTING.formatted("REDACTED"));
        fx.service.reindex("secret", null);
        fx.service.drain();
        assertThat(vaultText("secret")).contains("REDACTED").doesNotContain("44172");
        assertThat(vaultText("plain")).contains("44172");
    }

    @Test
    void aBaseWhoseTemplateIsNotLoadedFailsItsDocumentsWithTheReason() {
        declare("lost", "no-such-template");
        fx.service.drain();
        DocumentState d = fx.service.document("lost", "default", "kb/vault.md").orElseThrow();
        assertThat(d.status()).isEqualTo("failed");
        assertThat(d.reason()).contains("'no-such-template' is not loaded");
        assertThat(fx.service.search("vault code", "lost", 3, SearchFilters.NONE, LuceneIndex.Mode.HYBRID)).isEmpty();
    }

    @Test
    void aStepThatLeavesNeitherTheJobNorTextFailsTheDocumentClearly() throws Exception {
        load("broken.yaml", """
                - routeTemplate:
                    id: broken-ingest
                    parameters:
                      - name: base
                    from:
                      uri: "direct:broken-{{base}}"
                      steps:
                        - to: "knowledge:{{base}}?operation=extract"
                        - setBody:
                            simple: "${header.nothing}"
                        - to: "knowledge:{{base}}?operation=chunk"
                """);
        declare("broken", "broken-ingest");
        fx.service.drain();
        DocumentState d = fx.service.document("broken", "default", "kb/vault.md").orElseThrow();
        assertThat(d.status()).isEqualTo("failed");
        assertThat(d.reason()).contains("changed it to nothing").doesNotContain(data.toString());

        assertThatThrownBy(() -> declare("odd", "../../etc/passwd")).isInstanceOf(KnowledgeBaseException.class)
                .hasMessageContaining("pipeline is the id of a route template");
    }
}
