package dev.caravan.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three Caravan applications in this JVM on one PostgreSQL schema and one workspace directory. Files written and
 * deleted through node A's HTTP file API are ingested by A; node B, running meanwhile, finds them through its own
 * index, which follows the database's change feed, and never returns a deleted one once it has caught up; node C,
 * started last, builds its index from the database with no embedding call (counted) and answers the same.
 */
class KnowledgeNodesIT {
    static final String ADMIN_TOKEN = "knowledge-nodes-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    /** Searches made on each node: each embeds its query, and nothing else may be embedded there. */
    final int[] searches = new int[3];

    @AfterEach
    void stop() {
        nodes.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void ingestOnOneNodeSearchOnEveryNode() throws Exception {
        String schema = TestDatabases.newPostgresSchema();
        Path shared = Files.createTempDirectory("caravan-kb-shared");
        nodes.add(start("a", schema, shared));
        nodes.add(start("b", schema, shared));
        // Each node reconciles once 2 s after it starts (and then hourly here): let those pass with no base yet, so
        // that node A, whose file API receives the writes, is the only node that ingests.
        Thread.sleep(2500);

        var created = call(0, "POST", "/admin/api/knowledge",
                "{\"name\":\"kb\",\"sources\":[{\"workspace\":\"default\",\"include\":[\"kb/**\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        for (String file : List.of("expenses.md", "notes.txt", "onboarding.md")) {
            var put = call(0, "PUT", "/files/default/kb/" + file, Corpus.source(file));
            assertThat(put.statusCode()).as(put.body()).isBetween(200, 204);
        }
        await("node A indexed the three files", () -> call(0, "GET", "/admin/api/knowledge/kb", null).body()
                .contains("\"indexed\":3"));

        await("node B finds a file node A ingested", () -> first(1, "hotel limit in London").equals("kb/expenses.md"));
        await("node B finds every file", () -> paths(1, "bicycle door code").contains("kb/notes.txt")
                && paths(1, "probation period").contains("kb/onboarding.md"));
        assertThat(model(1).embedded()).as("node B embedded only its queries").isEqualTo(searches[1]);

        var deleted = call(0, "DELETE", "/files/default/kb/notes.txt", null);
        assertThat(deleted.statusCode()).as(deleted.body()).isBetween(200, 204);
        await("node A dropped the deleted file", () -> !paths(0, "bicycle door code").contains("kb/notes.txt"));
        await("node B dropped the deleted file", () -> !paths(1, "bicycle door code").contains("kb/notes.txt"));
        long feed = service(0).base("kb").orElseThrow().index().applied();
        assertThat(service(1).base("kb").orElseThrow().index().applied()).isGreaterThanOrEqualTo(feed);
        for (int i = 0; i < 3; i++) {
            assertThat(paths(1, "bicycle door code")).as("caught up: never again").doesNotContain("kb/notes.txt");
        }

        nodes.add(start("c", schema, shared));
        await("node C built its index from the database", () -> service(2).base("kb").isPresent()
                && service(2).base("kb").orElseThrow().index().size() > 0);
        assertThat(model(2).embedded()).as("node C embedded nothing to build its index").isZero();
        assertThat(model(2).loaded()).as("it did not even load the model").isFalse();
        assertThat(service(2).base("kb").orElseThrow().index().size())
                .isEqualTo(service(0).base("kb").orElseThrow().index().size());
        assertThat(first(2, "hotel limit in London")).isEqualTo("kb/expenses.md");
        assertThat(paths(2, "probation period")).contains("kb/onboarding.md");
        assertThat(paths(2, "bicycle door code")).doesNotContain("kb/notes.txt");
        assertThat(model(2).embedded()).as("node C embedded only its queries").isEqualTo(searches[2]);
        assertThat(model(1).embedded()).isEqualTo(searches[1]);
    }

    /**
     * A base's model changed through node A's admin API, from bge to an OpenAI-compatible endpoint (a stub of OpenAI's
     * API): while one document is refused by the new model the change waits, both nodes report it and search with
     * bge (the stub gets no query); once it is retried and in, both nodes swap, and node B's searches go to the new
     * model having embedded nothing else.
     */
    @Test
    void aModelChangeSwapsOnEveryNodeOnceTheNewIndexIsComplete() throws Exception {
        try (OpenAiStub stub = new OpenAiStub()) {
            String schema = TestDatabases.newPostgresSchema();
            Path shared = Files.createTempDirectory("caravan-kb-shared");
            nodes.add(start("a", schema, shared));
            nodes.add(start("b", schema, shared));
            Thread.sleep(2500);
            String sources = "\"sources\":[{\"workspace\":\"default\",\"include\":[\"kb/**\"]}]";
            assertThat(call(0, "POST", "/admin/api/knowledge", "{\"name\":\"kb\"," + sources + "}").statusCode())
                    .isEqualTo(201);
            for (String file : List.of("expenses.md", "notes.txt", "onboarding.md")) {
                assertThat(call(0, "PUT", "/files/default/kb/" + file, Corpus.source(file)).statusCode())
                        .isBetween(200, 204);
            }
            await("node A indexed the three files", () -> call(0, "GET", "/admin/api/knowledge/kb", null).body()
                    .contains("\"indexed\":3"));

            var refuse = stub.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                    com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/v1/embeddings")).atPriority(1)
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("Bicycles"))
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(400)
                            .withBody("{\"error\":{\"message\":\"Invalid 'input'.\",\"type\":"
                                    + "\"invalid_request_error\",\"param\":\"input\",\"code\":null}}")));
            var changed = call(0, "POST", "/admin/api/knowledge", "{\"name\":\"kb\"," + sources + ",\"embedding\":"
                    + "{\"type\":\"openai\",\"model\":\"" + OpenAiStub.MODEL + "\",\"baseUrl\":\"" + stub.baseUrl()
                    + "\",\"apiKey\":\"${TEST_OPENAI_KEY}\",\"dimensions\":" + OpenAiStub.DIMENSIONS + "}}");
            assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
            assertThat(changed.body()).doesNotContain(OpenAiStub.KEY);
            for (int node = 0; node < 2; node++) {
                int n = node;
                await("node " + n + " reports the waiting change", () -> {
                    JsonNode change = JSON.readTree(call(n, "GET", "/admin/api/knowledge/kb", null).body())
                            .path("modelChange");
                    return change.path("embedded").asInt() == 2 && change.path("failed").asInt() == 1;
                });
            }
            int stubRequests = stub.requests();
            long bgeOnB = model(1).embedded();
            assertThat(paths(1, "bicycle door code")).contains("kb/notes.txt");
            assertThat(first(1, "hotel limit in London")).isEqualTo("kb/expenses.md");
            assertThat(stub.requests()).as("node B's queries went to bge").isEqualTo(stubRequests);
            assertThat(model(1).embedded()).isEqualTo(bgeOnB + 2);

            stub.server.removeStub(refuse);
            assertThat(call(0, "POST", "/admin/api/knowledge/kb/reindex?path=kb/notes.txt", null).statusCode())
                    .isEqualTo(200);
            String remote = OpenAiStub.MODEL + "@" + OpenAiStub.DIMENSIONS;
            for (int node = 0; node < 2; node++) {
                int n = node;
                await("node " + n + " swapped", () -> {
                    JsonNode kb = JSON.readTree(call(n, "GET", "/admin/api/knowledge/kb", null).body());
                    return kb.path("embeddingModel").asText().equals(remote) && kb.path("modelChange").isMissingNode()
                            && kb.path("chunks").asInt() > 0;
                });
            }
            int embeddedTexts = stub.texts.get();
            bgeOnB = model(1).embedded();
            assertThat(first(1, "hotel limit in London")).isEqualTo("kb/expenses.md");
            assertThat(paths(1, "bicycle door code")).contains("kb/notes.txt");
            assertThat(stub.texts.get()).as("node B's two queries, nothing else").isEqualTo(embeddedTexts + 2);
            assertThat(model(1).embedded()).isEqualTo(bgeOnB);
        }
    }

    KnowledgeService service(int node) {
        return nodes.get(node).getBean(KnowledgeService.class);
    }

    LazyModel model(int node) {
        return (LazyModel) service(node).model();
    }

    List<String> paths(int node, String query) throws Exception {
        searches[node]++;
        var r = call(node, "GET", "/admin/api/knowledge/kb/search?k=8&query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8), null);
        if (r.statusCode() == 404) {
            searches[node]--; // the base is not known there yet: nothing was embedded
            return List.of();
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode hit : JSON.readTree(r.body()).path("results")) {
            out.add(hit.path("path").asText());
        }
        return out;
    }

    String first(int node, String query) throws Exception {
        List<String> p = paths(node, query);
        return p.isEmpty() ? "" : p.get(0);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(String what, Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.ok()) {
            assertThat(System.nanoTime()).as(what).isLessThan(end);
            Thread.sleep(200);
        }
    }

    ConfigurableApplicationContext start(String name, String schema, Path shared) throws Exception {
        Path root = Files.createTempDirectory("caravan-kb-" + name);
        Path routes = Files.createDirectories(root.resolve("routes/knowledge"));
        Files.copy(Path.of("routes/knowledge/ingest.yaml"), routes.resolve("ingest.yaml"));
        Path connectors = Files.createDirectories(root.resolve("connectors"));
        Files.writeString(connectors.resolve("workspaces.yaml"), """
                workspaces:
                  - name: default
                    backend: local
                    root: %s
                """.formatted(shared));
        Map<String, String> settings = Map.ofEntries(
                Map.entry("server.port", "0"),
                Map.entry("server.address", "127.0.0.1"),
                Map.entry("spring.datasource.url", TestDatabases.POSTGRES_URL + "?currentSchema=" + schema),
                Map.entry("spring.datasource.username", "postgres"),
                Map.entry("spring.datasource.password", ""),
                Map.entry("camel.main.name", name),
                Map.entry("caravan.routes-dir", root.resolve("routes").toString()),
                Map.entry("caravan.connectors-dir", connectors.toString()),
                Map.entry("caravan.data-dir", Files.createDirectories(root.resolve("data")).toString()),
                Map.entry("caravan.routes-poll-interval", "200ms"),
                Map.entry("caravan.knowledge.reconcile-interval", "1h"),
                Map.entry("caravan.knowledge.follow-interval", "500ms"),
                Map.entry("CARAVAN_ADMIN_TOKEN", ADMIN_TOKEN),
                Map.entry("TEST_OPENAI_KEY", OpenAiStub.KEY)); // what embedding.apiKey's ${TEST_OPENAI_KEY} resolves to
        return new SpringApplicationBuilder(CaravanApplication.class).run(settings.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    HttpResponse<String> call(int node, String method, String path, String body) throws Exception {
        String port = nodes.get(node).getEnvironment().getProperty("local.server.port");
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
