package dev.caravan.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.upstream.UpstreamConfig;
import dev.caravan.upstream.UpstreamConfigParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The probe's command line, turned into the upstream declaration the hub would read from upstreams.yaml. */
record ProbeOptions(UpstreamConfig upstream, List<Call> calls, Map<String, Object> elicitationAnswer,
                    String redirectBase, Duration timeout, int maxAuthorizations, boolean verbose) {

    /** One tool call, in the order given. */
    record Call(String tool, Map<String, Object> arguments) {
    }

    static final String USAGE = """
            Usage: probe [options] <url>          (streamable-http, sse)
                   probe --transport stdio [options] -- <command> [args...]
                   probe --file connectors/upstreams.yaml --upstream <name> [options]

            Connects to an MCP server with Caravan's upstream connector (the code the hub uses), initializes,
            lists its tools and optionally calls one. Exit code 0 when everything worked, 1 when not (the reason
            on stderr), 2 for a bad command line. Values may be ${ENV} references.

              --transport streamable-http|sse|stdio   default streamable-http
              --auth none|bearer|headers|oauth|oauth-client-credentials
                                                      default none; oauth is authorization code + PKCE, done
                                                      headlessly: the probe opens the authorization URL and takes
                                                      the code from the redirect (no login page can be answered)
              --token TOKEN                           bearer token
              --header NAME=VALUE                     a static header (repeatable; implies --auth headers)
              --client-id ID, --client-secret SECRET  pre-registered OAuth client (default: dynamic registration)
              --client-metadata-url URL               Caravan's Client ID Metadata Document (https), used as
                                                      client_id where the server supports them
              --scope "A B"                           OAuth scope (default: from the server's challenge/metadata)
              --no-resource                           do not send the RFC 8707 resource indicator
              --token-url URL                         client credentials: the token endpoint
              --authorization-server URL              skip protected resource metadata discovery
              --client-from-env VAR                   when VAR is set, take client_id/client_secret from the
                                                      JSON object in it (MCP_CONFORMANCE_CONTEXT, set by the
                                                      conformance suite for scenarios with a pre-registered client)
              --redirect-base URL                     base of the OAuth redirect URI (+ /oauth/callback);
                                                      default http://localhost:3334 (nothing needs to listen)
              --call TOOL                             call this tool after listing (repeatable: in order)
              --arguments JSON                        the arguments of the --call before it (default {})
              --calls-from-env VAR                    when VAR is set, also make the calls listed in the JSON
                                                      object in it as "toolCalls": [{"name":..,"arguments":{..}}]
                                                      (MCP_CONFORMANCE_CONTEXT, set by the conformance suite)
              --elicitation-answer JSON               declare form elicitation and accept every form the server
                                                      asks for with this content, e.g. {"confirmed":true}
              --timeout DURATION                      connect and call timeout, e.g. 30s (default 20s)
              --file PATH --upstream NAME             probe an upstream declared in an upstreams.yaml
              --verbose                               connector logs at INFO (default WARN) on stderr
              --help
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Thrown for a bad command line; the message says what is wrong. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    static ProbeOptions parse(List<String> args) throws Usage {
        String transport = "streamable-http";
        String auth = null;
        String token = null;
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, String> oauth = new LinkedHashMap<>();
        String clientFromEnv = null;
        List<String> callNames = new ArrayList<>();
        List<String> callArguments = new ArrayList<>();
        String callsFromEnv = null;
        String elicitationAnswer = null;
        String redirectBase = "http://localhost:3334";
        Duration timeout = Duration.ofSeconds(20);
        String file = null;
        String name = null;
        boolean verbose = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            switch (a) {
                case "--verbose" -> verbose = true;
                case "--no-resource" -> oauth.put("resource", "false");
                case "--transport" -> transport = value(args, ++i, a);
                case "--auth" -> auth = value(args, ++i, a);
                case "--token" -> token = value(args, ++i, a);
                case "--header" -> {
                    String h = value(args, ++i, a);
                    int eq = h.indexOf('=');
                    if (eq < 1) {
                        throw new Usage("--header takes NAME=VALUE, not '" + h + "'");
                    }
                    headers.put(h.substring(0, eq), h.substring(eq + 1));
                }
                case "--client-id" -> oauth.put("client_id", value(args, ++i, a));
                case "--client-secret" -> oauth.put("client_secret", value(args, ++i, a));
                case "--scope" -> oauth.put("scope", value(args, ++i, a));
                case "--token-url" -> oauth.put("token_url", value(args, ++i, a));
                case "--authorization-server" -> oauth.put("authorization_server", value(args, ++i, a));
                case "--client-from-env" -> clientFromEnv = value(args, ++i, a);
                case "--client-metadata-url" -> oauth.put("client_metadata_url", value(args, ++i, a));
                case "--redirect-base" -> redirectBase = value(args, ++i, a);
                case "--call" -> {
                    callNames.add(value(args, ++i, a));
                    callArguments.add("{}");
                }
                case "--arguments" -> {
                    String json = value(args, ++i, a);
                    if (callNames.isEmpty()) {
                        throw new Usage("--arguments belongs after the --call it is for");
                    }
                    callArguments.set(callArguments.size() - 1, json);
                }
                case "--calls-from-env" -> callsFromEnv = value(args, ++i, a);
                case "--elicitation-answer" -> elicitationAnswer = value(args, ++i, a);
                case "--timeout" -> timeout = duration(value(args, ++i, a));
                case "--file" -> file = value(args, ++i, a);
                case "--upstream" -> name = value(args, ++i, a);
                default -> throw new Usage("unknown option " + a);
            }
        }
        if (clientFromEnv != null) {
            clientFrom(clientFromEnv, oauth);
        }
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < callNames.size(); i++) {
            calls.add(new Call(callNames.get(i), arguments(callArguments.get(i), "--arguments")));
        }
        if (callsFromEnv != null) {
            calls.addAll(callsFrom(callsFromEnv));
        }
        Map<String, Object> answer = elicitationAnswer == null ? null
                : arguments(elicitationAnswer, "--elicitation-answer");
        UpstreamConfig upstream;
        if (file != null) {
            if (name == null || !positional.isEmpty()) {
                throw new Usage("--file needs --upstream NAME and no URL or command");
            }
            upstream = declared(Path.of(file), name);
        } else {
            upstream = fromArguments(transport, auth, token, headers, oauth, positional, timeout);
        }
        return new ProbeOptions(upstream, List.copyOf(calls), answer, redirectBase, timeout, 3, verbose);
    }

    private static UpstreamConfig fromArguments(String transportId, String auth, String token,
                                                Map<String, String> headers, Map<String, String> oauth,
                                                List<String> positional, Duration timeout) throws Usage {
        UpstreamConfig.Transport transport = switch (transportId) {
            case "streamable-http" -> UpstreamConfig.Transport.STREAMABLE_HTTP;
            case "sse" -> UpstreamConfig.Transport.SSE;
            case "stdio" -> UpstreamConfig.Transport.STDIO;
            default -> throw new Usage("--transport is streamable-http, sse or stdio, not '" + transportId + "'");
        };
        String url = null;
        String command = null;
        List<String> commandArgs = List.of();
        if (transport == UpstreamConfig.Transport.STDIO) {
            if (positional.isEmpty()) {
                throw new Usage("stdio needs the server's command after --");
            }
            command = positional.get(0);
            commandArgs = List.copyOf(positional.subList(1, positional.size()));
        } else {
            if (positional.size() != 1) {
                throw new Usage(positional.isEmpty() ? "the server URL is missing"
                        : "one server URL expected, got " + positional);
            }
            url = positional.get(0);
            if (!url.startsWith("http://") && !url.startsWith("https://") && !url.startsWith("${")) {
                throw new Usage("the server URL must be http:// or https://, not '" + url + "'");
            }
        }
        if (auth == null) {
            auth = token != null ? "bearer" : !headers.isEmpty() ? "headers" : "none";
        }
        UpstreamConfig.Auth declared = switch (auth) {
            case "none" -> UpstreamConfig.Auth.NONE;
            case "bearer" -> {
                if (token == null) {
                    throw new Usage("--auth bearer needs --token");
                }
                yield new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.BEARER, Map.of(), token);
            }
            case "headers" -> new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.HEADERS, Map.copyOf(headers), null);
            case "oauth" -> new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.OAUTH, Map.of(), null, Map.copyOf(oauth));
            case "oauth-client-credentials" -> {
                if (!oauth.containsKey("client_id") || !oauth.containsKey("client_secret")) {
                    throw new Usage("--auth oauth-client-credentials needs --client-id and --client-secret");
                }
                yield new UpstreamConfig.Auth(UpstreamConfig.Auth.Type.OAUTH_CLIENT_CREDENTIALS, Map.of(), null,
                        Map.copyOf(oauth));
            }
            default -> throw new Usage("--auth is none, bearer, headers, oauth or oauth-client-credentials, not '"
                    + auth + "'");
        };
        if (transport == UpstreamConfig.Transport.STDIO && declared.type() != UpstreamConfig.Auth.Type.NONE) {
            throw new Usage("stdio servers take no --auth (pass credentials in their environment)");
        }
        return new UpstreamConfig("probe", transport, url, command, commandArgs, Map.of(), "", List.of(), List.of(),
                List.of(), timeout, timeout, declared, true);
    }

    private static UpstreamConfig declared(Path file, String name) throws Usage {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new Usage("cannot read " + file + ": " + e.getMessage());
        }
        List<UpstreamConfig> all;
        try {
            all = UpstreamConfigParser.parse(yaml, file.toString());
        } catch (RuntimeException e) {
            throw new Usage(e.getMessage());
        }
        return all.stream().filter(u -> u.name().equals(name)).findFirst()
                .orElseThrow(() -> new Usage(file + " declares no upstream named '" + name + "' (it has "
                        + all.stream().map(UpstreamConfig::name).toList() + ")"));
    }

    /** client_id and client_secret from a JSON object in an environment variable. */
    private static void clientFrom(String variable, Map<String, String> oauth) throws Usage {
        String raw = System.getenv(variable);
        if (raw == null || raw.isBlank()) {
            return; // not set: dynamic registration, or the --client-id given
        }
        try {
            JsonNode n = JSON.readTree(raw);
            if (n.hasNonNull("client_id")) {
                oauth.put("client_id", n.get("client_id").asText());
            }
            if (n.hasNonNull("client_secret")) {
                oauth.put("client_secret", n.get("client_secret").asText());
            }
        } catch (IOException e) {
            throw new Usage(variable + " holds no JSON object");
        }
    }

    /** The {@code toolCalls} of the JSON object in an environment variable (none when it is unset). */
    @SuppressWarnings("unchecked")
    private static List<Call> callsFrom(String variable) throws Usage {
        String raw = System.getenv(variable);
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        List<Call> calls = new ArrayList<>();
        try {
            for (JsonNode c : JSON.readTree(raw).path("toolCalls")) {
                if (!c.path("name").isTextual()) {
                    throw new Usage(variable + ": every entry of toolCalls needs a name");
                }
                Map<String, Object> arguments = c.path("arguments").isObject()
                        ? JSON.convertValue(c.get("arguments"), Map.class) : Map.of();
                calls.add(new Call(c.get("name").asText(), arguments));
            }
        } catch (IOException e) {
            throw new Usage(variable + " holds no JSON object");
        }
        return calls;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> arguments(String json, String option) throws Usage {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new Usage(option + " must be a JSON object, e.g. {\"a\":1}");
            }
            return JSON.convertValue(n, Map.class);
        } catch (JsonProcessingException e) {
            throw new Usage(option + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Duration duration(String text) throws Usage {
        try {
            if (text.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            if (text.matches("\\d+ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.matches("\\d+[smh]")) {
                return Duration.parse("PT" + text.toUpperCase(Locale.ROOT));
            }
        } catch (RuntimeException e) {
            // fall through
        }
        throw new Usage("--timeout takes e.g. 500ms, 30s or 2m, not '" + text + "'");
    }

    private static String value(List<String> args, int i, String option) throws Usage {
        if (i >= args.size()) {
            throw new Usage(option + " needs a value");
        }
        return args.get(i);
    }
}
