package dev.caravan.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;

import java.io.IOException;
import java.time.Duration;

/** A test against an endpoint {@code conformance} that publishes the real route pack ({@link ConformanceRunner#PACK}). */
abstract class ConformancePackTest extends CaravanIntegrationTest {
    /** Copies the pack into this application's routes directory, publishes it and waits for all its tools. */
    protected Published publishPack() throws IOException {
        for (String file : ConformanceRunner.packFiles()) {
            writeRouteAndAwait(file, ConformanceRunner.packFile(file));
        }
        // Published after the routes loaded, so the endpoint knows the prompts' completions from the start.
        Published ep = publish("conformance", "conformance");
        await(Duration.ofSeconds(10), "the conformance tools on the endpoint", () -> {
            JsonNode exposed = json(admin("GET", "/admin/api/endpoints/conformance", null).body()).path("exposedTools");
            return ConformanceRunner.TOOLS.stream().allMatch(t -> exposed.toString().contains("\"" + t + "\""));
        });
        return ep;
    }
}
