package dev.caravan.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every caravan.* setting is documented in the IDE: the configuration processor took its javadoc. */
class SettingsMetadataTest {

    @Test
    void everyCaravanSettingHasADescription() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-boot-configuration-processor output").isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        List<String> names = new ArrayList<>();
        List<String> undocumented = new ArrayList<>();
        for (JsonNode p : metadata.path("properties")) {
            String name = p.path("name").asText();
            if (name.startsWith("caravan.")) {
                names.add(name);
                if (p.path("description").asText("").isBlank()) {
                    undocumented.add(name);
                }
            }
        }
        assertThat(undocumented).isEmpty();
        assertThat(names).containsAll(Set.of("caravan.data-dir", "caravan.connectors-dir", "caravan.public-base-url",
                "caravan.secret-key", "caravan.routes-dir", "caravan.routes-poll-interval", "caravan.tools.timeout",
                "caravan.mcp.max-request-bytes", "caravan.security.allowed-hosts", "caravan.endpoints",
                "caravan.endpoint-reconcile-interval", "caravan.workspace.locks.purge-interval"));
    }
}
