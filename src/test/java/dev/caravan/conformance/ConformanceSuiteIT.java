package dev.caravan.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the official MCP conformance suite ({@code @modelcontextprotocol/conformance}, installed into
 * {@code test-peers/} by {@code npm ci} in the generate-test-resources phase) against an endpoint that publishes
 * the real route pack in {@code routes/conformance}. The suite cannot send headers, so it gets the endpoint's
 * secret URL (credential in {@code ?key=}); its DNS-rebinding scenario needs the host to be localhost.
 */
class ConformanceSuiteIT extends CaravanIntegrationTest {
    private static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path PACK = PROJECT.resolve("routes/conformance");
    private static final Path PEERS = PROJECT.resolve("test-peers/node_modules");
    private static final Path NODE = PEERS.resolve("node/bin/node");
    private static final Path SUITE = PEERS.resolve("@modelcontextprotocol/conformance/dist/index.js");
    private static final List<String> TOOLS = List.of("test_simple_text", "test_image_content", "test_audio_content",
            "test_embedded_resource", "test_multiple_content_types", "test_tool_with_logging", "test_error_handling",
            "test_tool_with_progress", "test_sampling", "test_elicitation", "test_elicitation_sep1034_defaults",
            "test_elicitation_sep1330_enums");

    private static Published endpoint;

    /** Scenario counts of the active suite in the version test-peers pins (0.1.16). */
    @ParameterizedTest(name = "spec {0}")
    @CsvSource({"2025-06-18, 26", "2025-11-25, 30"})
    void theActiveSuitePasses(String specVersion, int scenarios) throws Exception {
        assertThat(NODE).as("Node 22 from test-peers (run `npm ci` in test-peers/; Maven does it before tests)")
                .isExecutable();
        assertThat(SUITE).as("the conformance suite in test-peers").isRegularFile();
        Published ep = publishPack();
        Path out = PROJECT.resolve("target/conformance/" + specVersion);
        deleteTree(out);
        Files.createDirectories(out);
        Path console = out.resolve("suite-output.txt");
        Process suite = new ProcessBuilder(NODE.toString(), SUITE.toString(), "server", "--url", ep.secretUrl(),
                "--suite", "active", "--spec-version", specVersion, "-o", out.toString())
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(console.toFile()).start();
        boolean exited = suite.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            suite.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // The secret URL appears in the suite's output; keep the credential out of the build log.
        List<String> output = Files.readAllLines(console, StandardCharsets.UTF_8).stream()
                .map(line -> line.replace(ep.token(), "<token>")).toList();

        // The summary block (one line per scenario, then the totals) goes to the build log.
        int summary = output.indexOf("=== SUMMARY ===");
        System.out.println("MCP conformance suite, spec " + specVersion + ":");
        output.subList(Math.max(summary, 0), output.size()).forEach(line -> System.out.println("  " + line));

        List<String> failures = new ArrayList<>();
        List<Path> results = checkFiles(out);
        for (Path checks : results) {
            for (JsonNode check : json(Files.readString(checks))) {
                if ("FAILURE".equals(check.path("status").asText())) {
                    failures.add(checks.getParent().getFileName() + ": " + check.path("id").asText() + " - "
                            + check.path("errorMessage").asText(check.path("description").asText()));
                }
            }
        }
        String log = String.join("\n", output);
        assertThat(failures).as("FAILURE checks (suite output:\n%s)", log).isEmpty();
        assertThat(results).as("scenarios with results (suite output:\n%s)", log).hasSize(scenarios);
        assertThat(exited).as("suite finished within 5 minutes (suite output:\n%s)", log).isTrue();
        assertThat(suite.exitValue()).as("suite exit code (suite output:\n%s)", log).isZero();
    }

    /** Copies the real pack into this application's routes directory and publishes it once per class. */
    private synchronized Published publishPack() throws IOException {
        if (endpoint != null) {
            return endpoint;
        }
        List<String> files;
        try (Stream<Path> pack = Files.list(PACK)) {
            files = pack.filter(p -> p.toString().endsWith(".yaml")).map(p -> "conformance/" + p.getFileName())
                    .sorted().toList();
        }
        assertThat(files).as("route files in " + PACK).isNotEmpty();
        for (String file : files) {
            writeRouteAndAwait(file, Files.readString(PROJECT.resolve("routes").resolve(file)));
        }
        // Published after the routes loaded, so the endpoint knows the prompts' completions from the start.
        Published ep = publish("conformance", "conformance");
        await(Duration.ofSeconds(10), "the conformance tools on the endpoint", () -> {
            JsonNode exposed = json(admin("GET", "/admin/api/endpoints/conformance", null).body()).path("exposedTools");
            return TOOLS.stream().allMatch(t -> exposed.toString().contains("\"" + t + "\""));
        });
        assertThat(ep.secretUrl()).startsWith("http://localhost:");
        endpoint = ep;
        return ep;
    }

    private static List<Path> checkFiles(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(out, 2)) {
            return files.filter(p -> p.getFileName().toString().equals("checks.json")).sorted().toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
