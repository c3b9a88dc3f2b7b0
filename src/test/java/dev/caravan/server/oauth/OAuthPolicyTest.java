package dev.caravan.server.oauth;

import dev.caravan.core.WorkspaceScopes.Operation;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OAuthPolicyTest {
    private static OAuthPolicy policy(String issuer, Map<String, List<String>> operations) {
        return new OAuthPolicy(issuer, null, null, List.of("mcp"), null, operations, null, null, null, null);
    }

    @Test
    void refusesIssuersThatAreNotHttpsOrLoopbackHttp() {
        for (String bad : List.of("http://idp.example.com", "ftp://idp", "https://", "https://idp/x?y=1",
                "https://idp/x#f", "javascript:alert(1)", "https://idp/" + "a".repeat(600))) {
            assertThatThrownBy(() -> policy(bad, null).checked()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("issuer");
        }
        assertThatThrownBy(() -> policy(null, null).checked()).hasMessageContaining("issuer is required");
        assertThat(policy("https://login.example.com/realms/acme", null).checked()).isNotNull();
        assertThat(policy("http://127.0.0.1:9000", null).checked()).isNotNull();
    }

    @Test
    void refusesBadScopesClaimsOperationsAndHalfAnIntrospection() {
        String issuer = "https://idp.example.com";
        assertThatThrownBy(() -> new OAuthPolicy(issuer, null, null, List.of("two words"), null, null, null, null, null,
                null).checked()).hasMessageContaining("requiredScopes");
        assertThatThrownBy(() -> new OAuthPolicy(issuer, null, null, null, "bad claim!", null, null, null, null, null)
                .checked()).hasMessageContaining("scopeClaim");
        assertThatThrownBy(() -> policy(issuer, Map.of("mcp", List.of("everything"))).checked())
                .hasMessageContaining("everything");
        assertThatThrownBy(() -> new OAuthPolicy(issuer, null, null, null, null, null, List.of("../etc"), null, null, null)
                .checked()).hasMessageContaining("../etc");
        assertThatThrownBy(() -> new OAuthPolicy(issuer, null, null, null, null, null, null, issuer + "/introspect",
                "caravan", null).checked()).hasMessageContaining("clientSecretEnv");
        assertThatThrownBy(() -> new OAuthPolicy(issuer, null, "not a uri", null, null, null, null, null, null, null)
                .checked()).hasMessageContaining("audience 'not a uri' must be an absolute URI");
    }

    @Test
    void mapsClaimValuesToOperationsAndDefaultsToAllWithoutAMapping() {
        OAuthPolicy mapped = policy("https://idp.example.com", Map.of("mcp", List.of("read"),
                "mcp:write", List.of("read", "write"), "nothing", List.of()));
        assertThat(mapped.operations(List.of("mcp"))).containsExactly(Operation.READ);
        assertThat(mapped.operations(List.of("mcp", "mcp:write", "unknown"))).containsExactlyInAnyOrder(Operation.READ,
                Operation.WRITE);
        assertThat(mapped.operations(List.of("nothing"))).isEmpty();
        assertThat(mapped.operations(List.of())).isEmpty();
        assertThat(policy("https://idp.example.com", null).operations(List.of()))
                .isEqualTo(EnumSet.allOf(Operation.class));
        assertThat(mapped.advertisedScopes()).startsWith("mcp").contains("mcp:write");
    }
}
