package dev.caravan.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 500 calls in flight to an upstream that does not answer for a long while (the real server-everything's
 * long-running operation) hold no request thread: Tomcat's threads stay free, so the admin API, health and a route
 * tool on an open session answer within 1 s, and the upstream's bulkhead refuses the next call at once, naming it.
 * (Before the dispatcher handed calls off, each held a request thread, and about 200 froze the server.)
 */
class HungUpstreamIT extends CaravanIntegrationTest {
    private static final int HUNG = 500;
    /** Long enough to outlast the checks below, short enough that the calls end before the context closes. */
    private static final int HUNG_SECONDS = 25;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        Path connectors = Files.createTempDirectory("caravan-connectors");
        Files.writeString(connectors.resolve("upstreams.yaml"), """
                upstreams:
                  - name: hung
                    transport: stdio
                    command: %s
                    args: ["%s", stdio]
                    max-concurrent-calls: %d
                    timeouts: {connect: 20s, call: 60s}
                """.formatted(EverythingPeer.NODE, EverythingPeer.SCRIPT, HUNG));
        registry.add("caravan.connectors-dir", connectors::toString);
        registry.add("caravan.upstream.poll-interval", () -> "200ms");
        // Room for all 500 from one credential and one address (the defaults are 16 and 128).
        registry.add("caravan.mcp.max-calls-in-flight", () -> "600");
        registry.add("caravan.mcp.max-concurrent-per-client", () -> "1000");
        registry.add("caravan.mcp.max-concurrent-per-address", () -> "1000");
    }

    private static String call(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    /** Sends, and again after the Retry-After pause while the server says 503 (what a well-behaved client does). */
    private static CompletableFuture<HttpResponse<String>> sendRetrying(Supplier<HttpRequest> request, int triesLeft) {
        return CLIENT.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()).thenCompose(r ->
                r.statusCode() == 503 && triesLeft > 0
                        ? CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                        .thenCompose(x -> sendRetrying(request, triesLeft - 1))
                        : CompletableFuture.completedFuture(r));
    }

    private static JsonNode result(HttpResponse<String> r) {
        List<JsonNode> messages = sseMessages(r.body());
        return messages.get(messages.size() - 1).path("result");
    }

    /** Threads of this JVM (the application runs in it) whose name starts so and whose stack passes through where. */
    private static long threads(String prefix, String where) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(prefix))
                .filter(e -> where == null || Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().contains(where)))
                .count();
    }

    private static long millis(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    @Test
    void fiveHundredHungCallsHoldNoRequestThread() throws Exception {
        writeCrmLookupRoute();
        await(Duration.ofSeconds(40), "hung online", () -> admin("GET", "/admin/api/upstreams/hung", null)
                .body().contains("\"online\""));
        Published ep = publish("hung", "hung", "crm");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/hung", null).body().contains("hung__echo"));
        String session = rawSession(ep);

        List<CompletableFuture<HttpResponse<String>>> hung = new ArrayList<>();
        for (int i = 0; i < HUNG; i++) {
            String body = call(1000 + i, "hung__trigger-long-running-operation",
                    "{\"duration\":" + HUNG_SECONDS + ",\"steps\":1}");
            hung.add(sendRetrying(() -> mcpPost(ep, session, body).build(), 50));
        }
        try {
            await(Duration.ofSeconds(40), HUNG + " calls waiting on the upstream",
                    () -> threads("mcp-call-", "UpstreamConnection") >= HUNG);
            assertThat(hung).noneMatch(CompletableFuture::isDone);

            long tomcat = threads("http-nio-", null);
            await(Duration.ofSeconds(5), "no request thread in the MCP dispatcher",
                    () -> threads("http-nio-", "McpDispatcherServlet") == 0);
            System.out.printf("HungUpstreamIT: %d calls in flight on the upstream; Tomcat request threads: %d live, "
                            + "%d inside the MCP dispatcher; dispatcher call-pool threads: %d%n",
                    threads("mcp-call-", "UpstreamConnection"), tomcat, threads("http-nio-", "McpDispatcherServlet"),
                    threads("mcp-call-", null));
            // 500 calls waiting is more than Tomcat has threads (200): none of them holds one.
            assertThat(tomcat).as("Tomcat threads with 500 calls hung").isLessThanOrEqualTo(200);

            long end = System.currentTimeMillis() + 5000;
            int round = 0;
            while (System.currentTimeMillis() < end) {
                int[] status = new int[2];
                JsonNode[] answer = new JsonNode[2];
                int id = 10 * round;
                long admin = millis(() -> status[0] = admin("GET", "/admin/api/endpoints", null).statusCode());
                long health = millis(() -> status[1] = send(HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/actuator/health")).GET().build()).statusCode());
                long tool = millis(() -> answer[0] = result(send(mcpPost(ep, session,
                        call(id + 1, "crm_lookup_customer", "{}")).build())));
                long refused = millis(() -> answer[1] = result(send(mcpPost(ep, session,
                        call(id + 2, "hung__echo", "{\"message\":\"over the limit\"}")).build())));
                assertThat(status[0]).isEqualTo(200);
                assertThat(status[1]).isEqualTo(200);
                assertThat(answer[0].path("content").get(0).path("text").asText()).isEqualTo("found");
                assertThat(answer[1].path("isError").asBoolean()).isTrue();
                assertThat(answer[1].path("content").get(0).path("text").asText())
                        .contains("Upstream 'hung' is busy").contains("max-concurrent-calls");
                assertThat(admin).as("admin API ms, round " + round).isLessThan(1000);
                assertThat(health).as("health ms, round " + round).isLessThan(1000);
                assertThat(tool).as("route tool ms, round " + round).isLessThan(1000);
                assertThat(refused).as("bulkhead refusal ms, round " + round).isLessThan(1000);
                round++;
                Thread.sleep(200);
            }
            assertThat(round).isGreaterThan(3);

            // The hung calls were only waiting: each gets its answer when the upstream gives it.
            CompletableFuture.allOf(hung.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            for (CompletableFuture<HttpResponse<String>> f : hung) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode result = result(r);
                assertThat(result.path("isError").asBoolean()).as(r.body()).isFalse();
                assertThat(result.path("content").get(0).path("text").asText()).contains("Long running operation completed");
            }
            await(Duration.ofSeconds(10), "the call pool drained", () -> threads("mcp-call-", "UpstreamConnection") == 0);
        } finally {
            hung.forEach(f -> f.cancel(true));
        }
    }
}
