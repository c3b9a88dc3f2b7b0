package dev.caravan.server.oauth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictTest {
    private static final String METADATA = "https://hub/.well-known/oauth-protected-resource/mcp/sales";

    @Test
    void aMissingTokenGetsNoErrorCodeButTheMetadataAndScope() {
        assertThat(Verdict.missing("send one").challenge(METADATA, "mcp"))
                .isEqualTo("Bearer resource_metadata=\"" + METADATA + "\", error_description=\"send one\", scope=\"mcp\"");
    }

    @Test
    void insufficientScopeNamesTheScopeNeededAndIsForbidden() {
        Verdict v = Verdict.insufficient("lacks mcp", "mcp mcp:write");
        assertThat(v.status()).isEqualTo(403);
        assertThat(v.challenge(METADATA, "mcp")).contains("error=\"insufficient_scope\"")
                .contains("scope=\"mcp mcp:write\"");
    }

    @Test
    void aDescriptionCannotBreakOutOfItsQuotedString() {
        String challenge = Verdict.invalid("evil\", error=\"none\r\nSet-Cookie: x=1\\").challenge(METADATA, null);
        assertThat(challenge).doesNotContain("\r").doesNotContain("\n").doesNotContain("\\")
                .contains("error=\"invalid_token\"").doesNotContain("error=\"none\"");
    }
}
