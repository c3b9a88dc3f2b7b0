package dev.caravan.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.store.RequestStateKeyRepository;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request-state key: configured, or generated once and shared through the database by every node. */
class RequestStateKeysTest {

    @Test
    void nodesStartingTogetherAgreeOnOneGeneratedKey() throws Exception {
        for (HikariDataSource db : List.of(TestDatabases.h2(), TestDatabases.postgres())) {
            try (db) {
                RequestStateKeyRepository store = new RequestStateKeyRepository(new JdbcTemplate(db));
                List<CompletableFuture<String>> nodes = IntStream.range(0, 8).mapToObj(i -> CompletableFuture.supplyAsync(
                        () -> store.findOrCreate(() -> "key-of-node-" + i))).toList();
                List<String> keys = nodes.stream().map(CompletableFuture::join).distinct().toList();
                assertThat(keys).hasSize(1);
                assertThat(store.findOrCreate(() -> "late")).isEqualTo(keys.get(0));
            }
        }
    }

    @Test
    void aBadConfiguredKeyIsRefusedWithTheFix() {
        assertThatThrownBy(() -> RequestStateKeys.decode("not base64!", "caravan.mcp.request-state-key"))
                .hasMessageContaining("not base64").hasMessageContaining("openssl rand -base64 32");
        String tooShort = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> RequestStateKeys.decode(tooShort, "caravan.mcp.request-state-key"))
                .hasMessageContaining("16 bytes").hasMessageContaining("at least 32");
        assertThat(RequestStateKeys.decode(Base64.getEncoder().encodeToString(new byte[32]), "k")).hasSize(32);
    }
}
