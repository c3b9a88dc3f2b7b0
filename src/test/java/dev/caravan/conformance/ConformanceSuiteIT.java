package dev.caravan.conformance;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the official MCP conformance suite ({@code @modelcontextprotocol/conformance}, installed into
 * {@code test-peers/} by {@code npm ci} in the generate-test-resources phase) against an endpoint that publishes
 * the real route pack in {@code src/test/resources/routes/conformance}. The suite cannot send headers, so it gets the endpoint's
 * secret URL (credential in {@code ?key=}); its DNS-rebinding scenario needs the host to be localhost.
 * The runner itself is {@link ConformanceRunner} (shared with {@link ProxyConformanceIT}).
 */
class ConformanceSuiteIT extends ConformancePackTest {
    private static Published endpoint;

    /** Scenario counts of the active suite in the version test-peers pins (0.1.16). */
    @ParameterizedTest(name = "spec {0}")
    @CsvSource({"2025-06-18, 26", "2025-11-25, 30"})
    void theActiveSuitePasses(String specVersion, int scenarios) throws Exception {
        Published ep = publishedOnce();
        ConformanceRunner.run(ep.secretUrl(), ep.token(), specVersion, "conformance")
                .printSummary("MCP conformance suite").assertPassed(scenarios);
    }

    /** The pack published once per class. */
    private synchronized Published publishedOnce() throws IOException {
        if (endpoint != null) {
            return endpoint;
        }
        Published ep = publishPack();
        assertThat(ep.secretUrl()).startsWith("http://localhost:");
        endpoint = ep;
        return ep;
    }
}
