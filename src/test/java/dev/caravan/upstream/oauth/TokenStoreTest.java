package dev.caravan.upstream.oauth;

import dev.caravan.core.TokenCipher;
import dev.caravan.support.TestDatabases;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** V30 and the sealed grant store, migrated with Flyway on H2 and on the local PostgreSQL (127.0.0.1:5432/test). */
class TokenStoreTest {
    @TempDir
    Path dir;

    static DataSource dataSource(String database) {
        return database.equals("h2") ? TestDatabases.plainH2() : TestDatabases.plainPostgres();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void grantsAreSealedPerUpstreamAndUrl(String database) {
        DataSource ds = TestDatabases.migrated(dataSource(database));
        TokenStore store = new TokenStore(new JdbcTemplate(ds), () -> TokenCipher.from(null, dir));
        Instant expires = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
        StoredGrant g = new StoredGrant("https://as", "https://as/a", "https://as/t", "https://mcp/x", "s", "client-id-of-caravan",
                "client-secret-of-caravan", "client_secret_post", "https://c/oauth/callback", true, "access-1", "refresh-1", expires);
        store.save("up", "https://mcp/x", g);
        assertThat(store.load("up", "https://mcp/x")).isEqualTo(g);
        assertThat(store.sealed("up")).doesNotContain("access-1").doesNotContain("client-secret-of-caravan")
                .doesNotContain("client-id-of-caravan");
        store.save("up", "https://mcp/x", g.withTokens("access-2", null, null));
        assertThat(store.load("up", "https://mcp/x").accessToken()).isEqualTo("access-2");
        assertThat(store.load("up", "https://elsewhere/x")).isNull();
        assertThat(store.load("other", "https://mcp/x")).isNull();
        store.delete("up");
        assertThat(store.load("up", "https://mcp/x")).isNull();
    }
}
