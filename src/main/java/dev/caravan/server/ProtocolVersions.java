package dev.caravan.server;

import java.util.List;

/**
 * The MCP protocol revisions the hub serves, oldest first: one list that every check reads (the
 * {@code MCP-Protocol-Version} header check, error messages), so adding an era means adding it here.
 */
public final class ProtocolVersions {
    /** The session eras: 2024-11-05 is the legacy HTTP+SSE transport, the rest Streamable HTTP sessions; 2026-07-28
     * (stateless) is negotiated by the SDK's own server (see ModernEra). */
    public static final List<String> SUPPORTED = List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25");

    private ProtocolVersions() {
    }

    public static boolean supported(String version) {
        return SUPPORTED.contains(version);
    }
}
