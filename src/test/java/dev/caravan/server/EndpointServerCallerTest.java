package dev.caravan.server;

import dev.caravan.core.Caller;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** An MCP request that reaches an endpoint without an authenticated caller fails closed. */
class EndpointServerCallerTest {

    @Test
    void aRequestWithoutACallerIsAnInternalErrorNeverFullAccess() {
        for (McpTransportContext context : new McpTransportContext[]{null, McpTransportContext.create(Map.of()),
                McpTransportContext.create(Map.of(Caller.ATTRIBUTE, "files/forged"))}) {
            McpError e = catchThrowableOfType(McpError.class, () -> EndpointServer.caller(context, "files"));
            assertThat(e).as("no caller in %s", context).isNotNull();
            assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INTERNAL_ERROR);
            assertThat(e.getMessage()).containsPattern("ref [0-9a-f]{8}").contains("nothing was done")
                    .doesNotContain("files").doesNotContain("caravan.caller");
        }
    }

    @Test
    void theAuthenticatedCallerIsPassedOn() {
        Caller reader = new Caller("files", "reader");
        assertThat(EndpointServer.caller(McpTransportContext.create(Map.of(Caller.ATTRIBUTE, reader)), "files"))
                .isSameAs(reader);
    }
}
