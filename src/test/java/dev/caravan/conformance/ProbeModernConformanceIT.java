package dev.caravan.conformance;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe (the hub's upstream connector without Spring) against the client scenarios MCP 2026-07-28 requires:
 * the {@code client} list of the requirement set frozen in conformance 0.2.0-alpha.12
 * ({@code conformance-next/requirements/2026-07-28.yaml}), every one run at the 2026-07-28 wire. Each runs on its
 * own as {@code client --scenario S --spec-version 2026-07-28 --force}, which is what {@code client --requirements
 * 2026-07-28} does for each scenario of the set (it pins the revision's wire and forces applicability), so that
 * three run at a time rather than all forty JVMs at once. Every scenario must pass; a scenario that could not
 * because of the MCP Java SDK would be listed in {@link #KNOWN_FAILURES} and asserted to still fail exactly so
 * (there is none: the OAuth code is Caravan's own, the wire protocol the SDK's modern client).
 * <p>
 * Not run: the set's {@code not_scored} client scenarios (the OAuth extensions DPoP, JWT client authentication,
 * workload identity and enterprise-managed authorization, which Caravan does not implement, and
 * {@code json-schema-2020-12-preservation}, added after the release), except {@code auth/client-credentials-basic},
 * which the connector supports.
 */
class ProbeModernConformanceIT {
    private static final Path OUT = ConformanceRunner.PROJECT.resolve("target/probe-conformance-2026");
    private static final Path REQUIREMENTS = ConformanceRunner.PEERS.resolve(
            "conformance-next/requirements/2026-07-28.yaml");

    /** None: see the class comment. Scenario → why (naming the SDK class) and the checks that still fail. */
    static final Map<String, ProbeConformanceIT.KnownFailure> KNOWN_FAILURES = Map.of();

    /** Scenario → the probe's arguments (the suite appends the server URL). */
    static Map<String, String> scenarios() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("tools_call", "--call add_numbers --arguments '{\"a\":2,\"b\":3}'");
        all.put("request-metadata", "");
        // The suite passes the calls (arguments with values that need encoding) in its context.
        all.put("http-custom-headers", "--calls-from-env MCP_CONFORMANCE_CONTEXT");
        all.put("http-standard-headers", "--call test_headers");
        all.put("http-invalid-tool-headers", "--call valid_tool");
        all.put("json-schema-ref-no-deref", "");
        all.put("sep-2322-client-request-state", "--elicitation-answer '{\"confirmed\":true}' "
                + "--call test_mrtr_echo_state --call test_mrtr_unrelated --call test_mrtr_no_state "
                + "--call test_mrtr_no_result_type");
        return all;
    }

    @Test
    void theProbePassesEveryClientScenarioThe20260728RevisionRequires() throws Exception {
        assertThat(ConformanceRunner.NODE).as("Node 22 from test-peers").isExecutable();
        List<String> required = requiredClientScenarios();
        Map<String, String> scenarios = new LinkedHashMap<>();
        for (String scenario : required) {
            String args = scenario.startsWith("auth/") ? ProbeConformanceIT.AUTH : scenarios().get(scenario);
            assertThat(args).as("probe arguments for the required scenario %s", scenario).isNotNull();
            scenarios.put(scenario, args);
        }
        assertThat(scenarios().keySet()).as("scenarios given arguments here are all required")
                .isSubsetOf(required);
        scenarios.put("auth/client-credentials-basic",
                "--auth oauth-client-credentials --client-from-env MCP_CONFORMANCE_CONTEXT --call test-tool");

        String probe = ProbeConformanceIT.probeCommand();
        Path suite = ConformanceRunner.SUITE_NEXT;
        List<ProbeConformanceIT.Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ProbeConformanceIT.Outcome>> running = new ArrayList<>();
            scenarios.forEach((name, args) -> running.add(pool.submit(() -> ProbeConformanceIT.run(suite, OUT, name,
                    probe + " " + args, "--spec-version", "2026-07-28", "--force"))));
            for (Future<ProbeConformanceIT.Outcome> f : running) {
                outcomes.add(f.get(3, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("Conformance 0.2.0-alpha.12 client scenarios required by 2026-07-28, with the probe ("
                + outcomes.stream().filter(ProbeConformanceIT.Outcome::ok).count() + " of " + outcomes.size()
                + " passed):");
        for (ProbeConformanceIT.Outcome o : outcomes) {
            System.out.printf("  %-45s %-8s %s%n", o.scenario(), o.ok() ? "passed" : "FAILED",
                    o.ok() ? o.passed().size() + " checks passed" : String.join("; ", o.failing()));
        }
        assertThat(outcomes).hasSize(required.size() + 1);
        for (ProbeConformanceIT.Outcome o : outcomes) {
            ProbeConformanceIT.KnownFailure known = KNOWN_FAILURES.get(o.scenario());
            if (known == null) {
                assertThat(o.ok()).as("%s passes (exit %d, failing checks %s, probe stderr: %s)", o.scenario(),
                        o.exitCode(), o.failing(), o.probeStderr()).isTrue();
            } else {
                assertThat(o.ok()).as("%s is listed as failing (%s) but passes now", o.scenario(), known.reason())
                        .isFalse();
                assertThat(o.failing().stream().map(f -> f.substring(0, f.indexOf(' '))).toList())
                        .containsExactlyInAnyOrderElementsOf(known.failingChecks());
            }
        }
    }

    /** The {@code client} list of the frozen 2026-07-28 requirement set of the installed suite. */
    @SuppressWarnings("unchecked")
    private static List<String> requiredClientScenarios() throws Exception {
        Map<String, Object> set = new Yaml().load(Files.readString(REQUIREMENTS));
        List<String> client = (List<String>) set.get("client");
        assertThat(client).as("client scenarios in " + REQUIREMENTS).hasSizeGreaterThan(20);
        return client;
    }
}
