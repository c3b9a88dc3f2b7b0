package dev.caravan.upstream;

import java.time.Instant;
import java.util.List;

/**
 * What the admin API shows for one upstream.
 *
 * @param state            online, connecting, error, disabled or needs-authorization
 * @param target           the URL without query and user info, or the stdio command (never args or env)
 * @param tools            the exported names of the tools this upstream contributes now
 * @param resourceCount    resources and resource templates the upstream lists now
 * @param promptCount      prompts the upstream lists now
 * @param lastError        why the last attempt or the last connection failed (kept after recovery)
 * @param nextAttemptAt    when the next reconnection attempt is due, while in error
 * @param authorizationUrl where a person must go to authorise Caravan, in needs-authorization (OAuth)
 * @param stepUpScope      the OAuth scope the upstream asked for beyond the grant (HTTP 403 insufficient_scope);
 *                         {@code POST /admin/api/upstreams/NAME/authorize} then asks for it
 * @param protocolVersion  the MCP revision spoken with the upstream while online ({@code 2026-07-28} when the
 *                         modern client was chosen, else what {@code initialize} negotiated); null otherwise
 * @param tokenExpiresAt   when the OAuth access token expires (from the stored grant; the token is never shown),
 *                         null without a token or a known expiry
 * @param tokenRenewable   whether Caravan renews that token by itself (a refresh token or client credentials)
 */
public record UpstreamStatus(String name, String transport, String target, String prefix, String state,
                             int toolCount, List<String> tools, int resourceCount, int promptCount,
                             String lastError, Instant lastErrorAt,
                             Instant since, Instant nextAttemptAt, String authorizationUrl, String stepUpScope,
                             String protocolVersion, Instant tokenExpiresAt, boolean tokenRenewable) {
}
