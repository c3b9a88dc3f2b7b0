package dev.caravan.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the official MCP conformance suite ({@code @modelcontextprotocol/conformance}, installed into
 * {@code test-peers/} by {@code npm ci}) against a URL and collects its verdict: used against an endpoint serving
 * the conformance route pack ({@link ConformanceSuiteIT}) and against a hub that federates such an endpoint
 * ({@link ProxyConformanceIT}). The suite cannot send headers, so it gets an endpoint's secret URL (credential in
 * {@code ?key=}); the token is kept out of the build log.
 */
public final class ConformanceRunner {
    public static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    /** The route pack the suite's scenarios call: test fixtures, not part of a default start's catalogue. */
    public static final Path PACK = PROJECT.resolve("src/test/resources/routes/conformance");
    static final Path PEERS = PROJECT.resolve("test-peers/node_modules");
    static final Path NODE = PEERS.resolve("node/bin/node");
    static final Path SUITE = PEERS.resolve("@modelcontextprotocol/conformance/dist/index.js");
    /** 0.2.0-alpha.12 (npm alias conformance-next): the requirement sets, 2026-07-28 among them. */
    static final Path SUITE_NEXT = PEERS.resolve("conformance-next/dist/index.js");
    /** The tools of the pack that the suite calls by name. */
    public static final List<String> TOOLS = List.of("test_simple_text", "test_image_content", "test_audio_content",
            "test_embedded_resource", "test_multiple_content_types", "test_tool_with_logging", "test_error_handling",
            "test_tool_with_progress", "test_sampling", "test_elicitation", "test_elicitation_sep1034_defaults",
            "test_elicitation_sep1330_enums");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConformanceRunner() {
    }

    /** The suite's verdict: its console output (token removed), the FAILURE checks, and scenario results. */
    public record Result(String specVersion, List<String> output, List<String> failures, int scenarios,
                         boolean exited, int exitCode) {
        public String log() {
            return String.join("\n", output);
        }

        /** Prints the summary block (one line per scenario, then the totals) to the build log. */
        public Result printSummary(String title) {
            int summary = output.indexOf("=== SUMMARY ===");
            System.out.println(title + ", spec " + specVersion + ":");
            output.subList(Math.max(summary, 0), output.size()).forEach(line -> System.out.println("  " + line));
            return this;
        }

        /** No FAILURE check, every expected scenario has results, and the suite finished cleanly. */
        public void assertPassed(int expectedScenarios) {
            assertThat(failures).as("FAILURE checks (suite output:\n%s)", log()).isEmpty();
            assertThat(scenarios).as("scenarios with results (suite output:\n%s)", log()).isEqualTo(expectedScenarios);
            assertThat(exited).as("suite finished within 5 minutes (suite output:\n%s)", log()).isTrue();
            assertThat(exitCode).as("suite exit code (suite output:\n%s)", log()).isZero();
        }
    }

    /** The pack's route files, as paths relative to {@code routes/} ({@code conformance/tools.yaml}, ...). */
    public static List<String> packFiles() throws IOException {
        List<String> files;
        try (Stream<Path> pack = Files.list(PACK)) {
            files = pack.filter(p -> p.toString().endsWith(".yaml")).map(p -> "conformance/" + p.getFileName())
                    .sorted().toList();
        }
        assertThat(files).as("route files in " + PACK).isNotEmpty();
        return files;
    }

    /** The content of one of {@link #packFiles()}. */
    public static String packFile(String file) throws IOException {
        return Files.readString(PACK.getParent().resolve(file));
    }

    /**
     * Runs the active server suite for one spec version against {@code url}; results go to
     * {@code target/<outDir>/<specVersion>}.
     */
    public static Result run(String url, String token, String specVersion, String outDir) throws Exception {
        assertThat(NODE).as("Node 22 from test-peers (run `npm ci` in test-peers/)").isExecutable();
        assertThat(SUITE).as("the conformance suite in test-peers").isRegularFile();
        Path out = PROJECT.resolve("target/" + outDir + "/" + specVersion);
        deleteTree(out);
        Files.createDirectories(out);
        Path console = out.resolve("suite-output.txt");
        Process suite = new ProcessBuilder(NODE.toString(), SUITE.toString(), "server", "--url", url,
                "--suite", "active", "--spec-version", specVersion, "-o", out.toString())
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(console.toFile()).start();
        boolean exited = suite.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            suite.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // The secret URL appears in the suite's output; keep the credential out of the build log.
        List<String> output = Files.readAllLines(console, StandardCharsets.UTF_8).stream()
                .map(line -> token == null ? line : line.replace(token, "<token>")).toList();
        List<String> failures = new ArrayList<>();
        List<Path> results = checkFiles(out);
        for (Path checks : results) {
            for (JsonNode check : JSON.readTree(Files.readString(checks))) {
                if ("FAILURE".equals(check.path("status").asText())) {
                    failures.add(checks.getParent().getFileName() + ": " + check.path("id").asText() + " - "
                            + check.path("errorMessage").asText(check.path("description").asText()));
                }
            }
        }
        return new Result(specVersion, output, failures, results.size(), exited, exited ? suite.exitValue() : -1);
    }

    /**
     * Runs the scenarios a spec revision requires ({@code server --requirements REVISION}, suite 0.2) against
     * {@code url}; answers each scenario's FAILURE checks by scenario name (an empty list: it passed).
     */
    public static java.util.SortedMap<String, List<String>> runRequirements(String url, String token, String revision,
                                                                         String outDir) throws Exception {
        assertThat(SUITE_NEXT).as("conformance 0.2 in test-peers (npm ci in test-peers/)").isRegularFile();
        Path out = PROJECT.resolve("target/" + outDir + "/" + revision);
        deleteTree(out);
        Files.createDirectories(out);
        Path console = out.resolve("suite-output.txt");
        Process suite = new ProcessBuilder(NODE.toString(), SUITE_NEXT.toString(), "server", "--url", url,
                "--requirements", revision, "-o", out.toString())
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(console.toFile()).start();
        if (!suite.waitFor(10, TimeUnit.MINUTES)) {
            suite.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        java.util.SortedMap<String, List<String>> verdicts = new java.util.TreeMap<>();
        for (Path checks : checkFiles(out)) {
            List<String> failures = new ArrayList<>();
            for (JsonNode check : JSON.readTree(Files.readString(checks))) {
                if ("FAILURE".equals(check.path("status").asText())) {
                    String why = check.path("errorMessage").asText(check.path("description").asText());
                    failures.add(check.path("id").asText() + " - " + (token == null ? why : why.replace(token, "<token>")));
                }
            }
            // Result folders are named SCENARIO-<timestamp>.
            verdicts.put(checks.getParent().getFileName().toString().replaceFirst("-\\d{4}-\\d{2}-\\d{2}T[0-9-]+Z$", ""), failures);
        }
        return verdicts;
    }

    /** The suite's own totals line of the last {@link #runRequirements} into {@code outDir}: "N passed, M failed". */
    public static String checkTotals(String outDir, String revision) throws IOException {
        Path console = PROJECT.resolve("target/" + outDir + "/" + revision + "/suite-output.txt");
        return Files.readAllLines(console, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("Total: "))
                .map(l -> l.substring("Total: ".length())).findFirst().orElse("no totals line");
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
