package dev.caravan.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One upstream MCP server as declared in {@code connectors/upstreams.yaml}. Values may hold {@code ${ENV}}
 * references; they are resolved when the client connects, never stored resolved.
 *
 * @param prefix  exported tool names are {@code prefix__tool}; empty means the upstream's names unchanged
 * @param include glob patterns on the upstream's own tool names; empty means all
 * @param exclude glob patterns on the upstream's own tool names, applied after include
 * @param tags    catalogue tags of every tool of this upstream (endpoints select by tag or name)
 * @param maxConcurrentCalls calls to this upstream allowed in flight at once (its bulkhead); 0: the default,
 *                           {@code caravan.upstream.max-concurrent-calls}
 * @param protocol which MCP era to speak (streamable-http only; stdio and sse are always the 2025 era)
 */
public record UpstreamConfig(String name, Transport transport, String url, String command, List<String> args,
                             Map<String, String> env, String prefix, List<String> include, List<String> exclude,
                             List<String> tags, Duration connectTimeout, Duration callTimeout, Auth auth,
                             boolean enabled, int maxConcurrentCalls, Protocol protocol) {

    public UpstreamConfig {
        protocol = protocol == null ? Protocol.AUTO : protocol;
    }

    public UpstreamConfig(String name, Transport transport, String url, String command, List<String> args,
                          Map<String, String> env, String prefix, List<String> include, List<String> exclude,
                          List<String> tags, Duration connectTimeout, Duration callTimeout, Auth auth, boolean enabled,
                          int maxConcurrentCalls) {
        this(name, transport, url, command, args, env, prefix, include, exclude, tags, connectTimeout, callTimeout,
                auth, enabled, maxConcurrentCalls, Protocol.AUTO);
    }

    public UpstreamConfig(String name, Transport transport, String url, String command, List<String> args,
                          Map<String, String> env, String prefix, List<String> include, List<String> exclude,
                          List<String> tags, Duration connectTimeout, Duration callTimeout, Auth auth, boolean enabled) {
        this(name, transport, url, command, args, env, prefix, include, exclude, tags, connectTimeout, callTimeout,
                auth, enabled, 0);
    }

    /**
     * The MCP era spoken with a streamable-http upstream. AUTO: {@code server/discover} first; the 2026-07-28
     * modern client when the upstream lists that revision, else {@code initialize} (the 2025 era).
     */
    public enum Protocol {
        AUTO("auto"), MODERN("2026-07-28"), LEGACY("2025");

        private final String id;

        Protocol(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        static Protocol of(String id) {
            for (Protocol p : values()) {
                if (p.id.equals(id)) {
                    return p;
                }
            }
            return null;
        }
    }

    public enum Transport {
        STREAMABLE_HTTP("streamable-http"), SSE("sse"), STDIO("stdio");

        private final String id;

        Transport(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        static Transport of(String id) {
            for (Transport t : values()) {
                if (t.id.equals(id)) {
                    return t;
                }
            }
            return null;
        }
    }

    /**
     * How Caravan authenticates to the upstream. {@code oauth} holds the OAuth options (client_id, client_secret,
     * scope, resource, token_url, ...; see dev.caravan.upstream.oauth.OAuthOptions), values may be {@code ${ENV}}.
     */
    public record Auth(Type type, Map<String, String> headers, String token, Map<String, String> oauth) {
        /** OAUTH: authorization code + PKCE; OAUTH_CLIENT_CREDENTIALS: the client credentials grant. */
        public enum Type { NONE, HEADERS, BEARER, OAUTH, OAUTH_CLIENT_CREDENTIALS }

        public static final Auth NONE = new Auth(Type.NONE, Map.of(), null);

        public Auth(Type type, Map<String, String> headers, String token) {
            this(type, headers, token, Map.of());
        }
    }

    /** Where the upstream is, for people: the URL without query or user info, or the command (no args/env). */
    public String target() {
        if (transport == Transport.STDIO) {
            return command;
        }
        try {
            URI u = URI.create(url);
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                    + (u.getRawPath() == null ? "" : u.getRawPath());
        } catch (RuntimeException e) {
            return "(invalid url)";
        }
    }
}
