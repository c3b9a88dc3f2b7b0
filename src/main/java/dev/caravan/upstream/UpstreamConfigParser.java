package dev.caravan.upstream;

import dev.caravan.catalog.ToolSelector;
import dev.caravan.connectors.ConnectorYaml;
import org.springframework.boot.convert.DurationStyle;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.caravan.connectors.ConnectorYaml.checkUrl;
import static dev.caravan.connectors.ConnectorYaml.string;
import static dev.caravan.connectors.ConnectorYaml.stringMap;
import static dev.caravan.connectors.ConnectorYaml.strings;

/**
 * Reads {@code upstreams.yaml}. Everything is checked before anything is used, so a bad file changes nothing:
 * <pre>
 * upstreams:
 *   - name: github                      # letters, digits, '-' and '_'; used in mcp:NAME and the admin API
 *     transport: streamable-http        # streamable-http | sse | stdio (explicit, never guessed)
 *     url: https://example.com/mcp      # http transports
 *     command: /usr/bin/node            # stdio: command, args, env (values may be ${ENV})
 *     args: [server.js, stdio]
 *     env: {LOG_LEVEL: warn}
 *     prefix: gh                        # default: the name; "" exports the upstream's names unchanged
 *     include: ["search_*"]             # glob patterns on the upstream's tool names (default: all)
 *     exclude: ["*_admin"]
 *     tags: [dev]                       # default: [name]
 *     timeouts: {connect: 10s, call: 60s}
 *     auth: {type: bearer, token: "${GITHUB_TOKEN}"}   # none | headers {headers: {..}} | bearer {token} | oauth
 *     # oauth: {type: oauth, client_id, client_secret, scope, resource: false, authorization_server,
 *     #   client_metadata_url, check_resource: false (accept resource metadata naming another URL, e.g. behind a
 *     #   proxy)} (no client_id: the client_metadata_url when the server supports Client ID Metadata
 *     #   Documents, else dynamic client registration); {type: oauth-client-credentials, client_id, client_secret,
 *     #   scope, token_url} (no token_url: discovered from the upstream)
 *     protocol: auto                    # auto | 2026-07-28 | 2025 (streamable-http: discover first, else initialize)
 *     enabled: true
 * </pre>
 */
public final class UpstreamConfigParser {
    static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CALL = Duration.ofSeconds(60);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,39}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{0,40}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final Set<String> KEYS = Set.of("name", "transport", "url", "command", "args", "env", "prefix",
            "include", "exclude", "tags", "timeouts", "auth", "enabled", "max-concurrent-calls", "protocol");

    // upstreams.yaml has never reported item lines (only YAML syntax lines); errors name the item by index and name.
    private static final ConnectorYaml.ListLayout<UpstreamConfig> LAYOUT = new ConnectorYaml.ListLayout<>(
            "upstreams", "name, transport, ...", false, UpstreamConfigParser::upstream, UpstreamConfig::name,
            UpstreamConfigException::new);

    private UpstreamConfigParser() {
    }

    public static List<UpstreamConfig> parse(String yaml, String file) {
        return ConnectorYaml.readList(yaml, file, LAYOUT);
    }

    /**
     * One declaration as a mapping (a YAML item, or the JSON body of the admin API), so both faces give the same
     * error messages; throws IllegalArgumentException with the reason.
     */
    static UpstreamConfig upstream(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown key '" + key + "' (known: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        String name = string(map, "name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name is required: 1-40 letters, digits, '-' or '_', starting with a "
                    + "letter or digit");
        }
        String transportId = string(map, "transport");
        UpstreamConfig.Transport transport = UpstreamConfig.Transport.of(transportId);
        if (transport == null) {
            throw new IllegalArgumentException("transport is required and must be one of streamable-http, sse, stdio"
                    + (transportId == null ? "" : " (got '" + transportId + "')"));
        }
        String url = string(map, "url");
        String command = string(map, "command");
        List<String> args = strings(map, "args");
        Map<String, String> env = stringMap(map, "env");
        if (transport == UpstreamConfig.Transport.STDIO) {
            if (command == null) {
                throw new IllegalArgumentException("stdio needs a command (and optionally args and env)");
            }
            if (url != null) {
                throw new IllegalArgumentException("stdio takes a command, not a url");
            }
        } else {
            if (url == null) {
                throw new IllegalArgumentException(transport.id() + " needs a url, e.g. https://example.com/mcp");
            }
            checkUrl(url, "url");
            if (command != null || !args.isEmpty() || !env.isEmpty()) {
                throw new IllegalArgumentException(transport.id() + " takes a url; command/args/env are for stdio");
            }
        }
        String prefix = map.containsKey("prefix") ? (map.get("prefix") == null ? "" : String.valueOf(map.get("prefix")))
                : name;
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix may contain only letters, digits, '_', '-' and '.' (at most 40)");
        }
        List<String> include = strings(map, "include");
        List<String> exclude = strings(map, "exclude");
        if (!include.isEmpty()) {
            ToolSelector.check(include);
        }
        if (!exclude.isEmpty()) {
            ToolSelector.check(exclude);
        }
        List<String> tags = map.containsKey("tags") ? strings(map, "tags") : List.of(name);
        Map<String, String> timeouts = stringMap(map, "timeouts");
        for (String key : timeouts.keySet()) {
            if (!key.equals("connect") && !key.equals("call")) {
                throw new IllegalArgumentException("timeouts knows connect and call, not '" + key + "'");
            }
        }
        Duration connect = duration(timeouts.get("connect"), DEFAULT_CONNECT, "timeouts.connect");
        Duration call = duration(timeouts.get("call"), DEFAULT_CALL, "timeouts.call");
        UpstreamConfig.Auth auth = auth(map.get("auth"), transport);
        Object enabled = map.containsKey("enabled") ? map.get("enabled") : Boolean.TRUE;
        if (!(enabled instanceof Boolean)) {
            throw new IllegalArgumentException("enabled must be true or false");
        }
        Object max = map.containsKey("max-concurrent-calls") ? map.get("max-concurrent-calls") : Integer.valueOf(0);
        if (!(max instanceof Integer limit) || limit < 0 || limit > 100_000 || map.containsKey("max-concurrent-calls") && limit == 0) {
            throw new IllegalArgumentException("max-concurrent-calls must be a whole number from 1 to 100000, not '"
                    + max + "'");
        }
        return new UpstreamConfig(name, transport, url, command, args, env, prefix, include, exclude, tags, connect,
                call, auth, (Boolean) enabled, limit, protocol(map.get("protocol"), transport));
    }

    /** protocol: auto (default), 2026-07-28 or 2025. YAML reads a bare 2026-07-28 as a date and 2025 as a number. */
    private static UpstreamConfig.Protocol protocol(Object value, UpstreamConfig.Transport transport) {
        if (value == null) {
            return UpstreamConfig.Protocol.AUTO;
        }
        String id = value instanceof java.util.Date date
                ? date.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate().toString() : String.valueOf(value);
        UpstreamConfig.Protocol protocol = UpstreamConfig.Protocol.of(id);
        if (protocol == null) {
            throw new IllegalArgumentException("protocol must be auto, 2026-07-28 or 2025, not '" + id + "'");
        }
        if (protocol == UpstreamConfig.Protocol.MODERN && transport != UpstreamConfig.Transport.STREAMABLE_HTTP) {
            throw new IllegalArgumentException("protocol 2026-07-28 needs transport streamable-http; "
                    + transport.id() + " speaks the 2025 era only");
        }
        return protocol;
    }

    private static UpstreamConfig.Auth auth(Object value, UpstreamConfig.Transport transport) {
        if (value == null) {
            return UpstreamConfig.Auth.NONE;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("auth must be a mapping, e.g. {type: bearer, token: \"${TOKEN}\"}");
        }
        String type = string(map, "type");
        UpstreamConfig.Auth auth = switch (type == null ? "" : type) {
            case "none" -> {
                only(map, "auth (none)", Set.of("type"));
                yield UpstreamConfig.Auth.NONE;
            }
            case "headers" -> {
                only(map, "auth (headers)", Set.of("type", "headers"));
                Map<String, String> headers = stringMap(map, "headers");
                if (headers.isEmpty()) {
                    throw new IllegalArgumentException("auth type headers needs headers: {Name: value}");
                }
                for (String h : headers.keySet()) {
                    if (!HEADER.matcher(h).matches()) {
                        throw new IllegalArgumentException("'" + h + "' is not a valid HTTP header name");
                    }
                }
                yield new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.HEADERS, headers, null);
            }
            case "bearer" -> {
                only(map, "auth (bearer)", Set.of("type", "token"));
                String token = string(map, "token");
                if (token == null) {
                    throw new IllegalArgumentException("auth type bearer needs token, e.g. token: \"${GITHUB_TOKEN}\"");
                }
                yield new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.BEARER, Map.of(), token);
            }
            case "oauth" -> {
                only(map, "auth (oauth)", OAUTH_KEYS);
                yield new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.OAUTH, Map.of(), null, oauthOptions(map));
            }
            case "oauth-client-credentials" -> {
                only(map, "auth (oauth-client-credentials)", OAUTH_KEYS);
                Map<String, String> options = oauthOptions(map);
                if (!options.containsKey("client_id") || !options.containsKey("client_secret")) {
                    throw new IllegalArgumentException("auth type oauth-client-credentials needs client_id and "
                            + "client_secret (e.g. client_secret: \"${CLIENT_SECRET}\")");
                }
                yield new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.OAUTH_CLIENT_CREDENTIALS, Map.of(), null,
                        options);
            }
            default -> throw new IllegalArgumentException("auth type must be none, headers, bearer, oauth or "
                    + "oauth-client-credentials"
                    + (type == null ? "" : " (got '" + type + "')"));
        };
        if (transport == UpstreamConfig.Transport.STDIO && auth.type() != UpstreamConfig.Auth.Type.NONE) {
            throw new IllegalArgumentException("stdio upstreams take credentials through env, not auth");
        }
        return auth;
    }

    /** The OAuth options (see dev.caravan.upstream.oauth.OAuthOptions); resource is true or false. */
    private static final Set<String> OAUTH_KEYS = Set.of("type", "client_id", "client_secret", "scope", "resource",
            "token_url", "authorization_server", "client_metadata_url", "check_resource");

    private static Map<String, String> oauthOptions(Map<?, ?> map) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : OAUTH_KEYS) {
            if (!key.equals("type") && string(map, key) != null) {
                out.put(key, string(map, key));
            }
        }
        if (out.containsKey("resource") && !Set.of("true", "false").contains(out.get("resource"))) {
            throw new IllegalArgumentException("auth.resource must be true (send the RFC 8707 resource indicator, "
                    + "the default) or false (omit it for servers that reject it)");
        }
        if (out.containsKey("check_resource") && !Set.of("true", "false").contains(out.get("check_resource"))) {
            throw new IllegalArgumentException("auth.check_resource must be true (refuse protected resource metadata "
                    + "for another URL, the default) or false (accept it, e.g. for a server behind a proxy)");
        }
        if (out.containsKey("client_secret") && !out.containsKey("client_id")) {
            throw new IllegalArgumentException("auth.client_secret needs client_id");
        }
        String metadata = out.get("client_metadata_url");
        if (metadata != null && !metadata.startsWith("https://") && !metadata.startsWith("${")) {
            throw new IllegalArgumentException("auth.client_metadata_url must be an https:// URL (a Client ID "
                    + "Metadata Document is identified by its HTTPS URL)");
        }
        for (String url : new String[] {out.get("token_url"), out.get("authorization_server")}) {
            if (url != null) {
                checkUrl(url, "url");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static void only(Map<?, ?> map, String what, Set<String> keys) {
        for (Object k : map.keySet()) {
            if (!keys.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(what + " does not take '" + k + "'");
            }
        }
    }

    private static Duration duration(String value, Duration fallback, String key) {
        if (value == null) {
            return fallback;
        }
        try {
            Duration d = DurationStyle.detectAndParse(value);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + " must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " '" + value + "' is not a duration (e.g. 500ms, 10s, 2m)");
        }
    }
}
