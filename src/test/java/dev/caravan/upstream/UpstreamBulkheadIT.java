package dev.caravan.upstream;

import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** An upstream's bulkhead: calls over its max-concurrent-calls are refused at once; its other tools keep answering. */
class UpstreamBulkheadIT extends CaravanIntegrationTest {

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) throws IOException {
        Path connectors = Files.createTempDirectory("caravan-connectors");
        Files.writeString(connectors.resolve("upstreams.yaml"), """
                upstreams:
                  - name: narrow
                    transport: stdio
                    command: %s
                    args: ["%s", stdio]
                    max-concurrent-calls: 2
                    timeouts: {connect: 20s, call: 20s}
                """.formatted(EverythingPeer.NODE, EverythingPeer.SCRIPT));
        registry.add("caravan.connectors-dir", connectors::toString);
        registry.add("caravan.upstream.poll-interval", () -> "200ms");
    }

    static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void callsOverTheLimitAreRefusedAtOnceWhileTheLimitHolds() throws Exception {
        await(Duration.ofSeconds(40), "narrow online", () -> admin("GET", "/admin/api/upstreams/narrow", null)
                .body().contains("\"online\""));
        Published ep = publish("narrow", "narrow");
        await(Duration.ofSeconds(10), "tools on the endpoint",
                () -> admin("GET", "/admin/api/endpoints/narrow", null).body().contains("narrow__echo"));
        try (McpSyncClient a = initialized(streamableClient(ep)); McpSyncClient b = initialized(streamableClient(ep));
             McpSyncClient c = initialized(streamableClient(ep))) {
            McpSchema.CallToolRequest slow = new McpSchema.CallToolRequest("narrow__trigger-long-running-operation",
                    Map.of("duration", 6, "steps", 2));
            CompletableFuture<McpSchema.CallToolResult> first = CompletableFuture.supplyAsync(() -> a.callTool(slow));
            CompletableFuture<McpSchema.CallToolResult> second = CompletableFuture.supplyAsync(() -> b.callTool(slow));
            Thread.sleep(1500);
            long start = System.nanoTime();
            McpSchema.CallToolResult refused = c.callTool(new McpSchema.CallToolRequest("narrow__echo",
                    Map.of("message", "third")));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).contains("Upstream 'narrow' is busy").contains("max-concurrent-calls");
            assertThat(first.get(20, TimeUnit.SECONDS).isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(second.get(20, TimeUnit.SECONDS).isError()).isNotEqualTo(Boolean.TRUE);
            // The slots come back when the calls end.
            assertThat(text(c.callTool(new McpSchema.CallToolRequest("narrow__echo", Map.of("message", "again")))))
                    .isEqualTo("Echo: again");
        }
    }
}
