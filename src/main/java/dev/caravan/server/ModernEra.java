package dev.caravan.server;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Set;

/**
 * Which protocol era a POST to {@code /mcp/NAME} speaks, as the 2026-07-28 revision's version negotiation has it:
 * a request that names its protocol version in {@code _meta} (or in the {@code MCP-Protocol-Version} header, with
 * a version that is not a 2025 one) is stateless 2026-07-28 and goes to the modern server, which answers an
 * unknown version with -32022 and the versions it speaks. {@code initialize} without such a claim, and anything
 * with an {@code Mcp-Session-Id}, is a 2025 session and goes to the session transport.
 */
final class ModernEra {
    private static final Set<String> SESSION_VERSIONS = Set.copyOf(ProtocolVersions.SUPPORTED);

    private ModernEra() {
    }

    static boolean wants(HttpServletRequest request, JsonNode message) {
        if (request.getHeader("Mcp-Session-Id") != null) {
            return false;
        }
        if (message.path("params").path("_meta").path("io.modelcontextprotocol/protocolVersion").isTextual()) {
            return true;
        }
        String method = message.path("method").asText();
        if ("initialize".equals(method)) {
            return false;
        }
        String header = request.getHeader("MCP-Protocol-Version");
        if (header != null) {
            return !SESSION_VERSIONS.contains(header);
        }
        // Without a session, a notification or server/discover can only be meant for the stateless server.
        return "server/discover".equals(method) || method.startsWith("notifications/") && !message.has("id");
    }
}
