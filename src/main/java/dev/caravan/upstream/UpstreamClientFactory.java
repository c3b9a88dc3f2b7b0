package dev.caravan.upstream;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** Builds the SDK client for one upstream: the declared transport, its credentials, and the notification hooks. */
public class UpstreamClientFactory {
    private static final Logger log = LoggerFactory.getLogger(UpstreamClientFactory.class);

    private static final String VERSION = UpstreamClientFactory.class.getPackage().getImplementationVersion() == null
            ? "dev" : UpstreamClientFactory.class.getPackage().getImplementationVersion();

    private final McpJsonMapper json;
    private final Function<UpstreamConfig, UpstreamAuth> oauth;

    /** @param oauth the OAuth connector for {@code auth: {type: oauth}} upstreams (the seam; see {@link UpstreamAuth}) */
    public UpstreamClientFactory(McpJsonMapper json, Function<UpstreamConfig, UpstreamAuth> oauth) {
        this.json = json;
        this.oauth = oauth;
    }

    /** What the client reports back to its connection. */
    record Hooks(Consumer<List<McpSchema.Tool>> toolsChanged, Runnable resourcesChanged,
                 Consumer<List<McpSchema.Prompt>> promptsChanged, Consumer<McpSchema.ProgressNotification> progress,
                 Consumer<McpSchema.LoggingMessageNotification> log, Runnable processExited, CallRelay relay) {
    }

    /** The credentials of the upstream; resolving them may fail (an unset variable). */
    UpstreamAuth auth(UpstreamConfig config, Secrets secrets) {
        UpstreamConfig.Auth auth = config.auth();
        return switch (auth.type()) {
            case NONE -> UpstreamAuth.NONE;
            case HEADERS -> {
                Map<String, String> headers = new LinkedHashMap<>();
                auth.headers().forEach((k, v) -> headers.put(k, secrets.resolve(v)));
                yield UpstreamAuth.headers(headers);
            }
            case BEARER -> UpstreamAuth.headers(Map.of("Authorization", "Bearer " + secrets.resolve(auth.token())));
            case OAUTH, OAUTH_CLIENT_CREDENTIALS -> oauth.apply(config);
        };
    }

    /**
     * The 2026-07-28 session for a streamable-http upstream that supports it, or null for the 2025 path
     * ({@code initialize}). {@code protocol: auto} asks {@code server/discover} within the connect timeout and takes
     * null on any failure or when 2026-07-28 is not among the versions listed; {@code protocol: 2026-07-28} throws
     * instead; {@code protocol: 2025}, stdio and sse go straight to null.
     */
    UpstreamSession modern(UpstreamConfig config, UpstreamAuth auth, Secrets secrets, Hooks hooks, Requests requests) {
        if (config.transport() != UpstreamConfig.Transport.STREAMABLE_HTTP
                || config.protocol() == UpstreamConfig.Protocol.LEGACY) {
            return null;
        }
        boolean required = config.protocol() == UpstreamConfig.Protocol.MODERN;
        Duration backstop = backstop(config);
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(URI.create(secrets.resolve(config.url())))
                .jsonMapper(json).connectTimeout(config.connectTimeout())
                .requestCustomizer(ModernAuth.customizer(auth))
                .authorizationErrorHandler(ModernAuth.onAuthorizationError(auth))
                .build();
        // The wrapper declares the calling client's capabilities and relays the upstream's log messages to it.
        io.modelcontextprotocol.modern.client.McpAsyncClient client = io.modelcontextprotocol.modern.client.McpClient
                .async(new ModernRelayingTransport(transport, json)).jsonMapper(json)
                .clientInfo(io.modelcontextprotocol.modern.McpSchema.Implementation.builder("caravan", VERSION).build())
                .callTimeout(backstop).roundTimeout(backstop)
                .build();
        io.modelcontextprotocol.modern.McpSchema.DiscoverResult discovered;
        try {
            discovered = client.discover().timeout(config.connectTimeout()).block();
        } catch (RuntimeException e) {
            if (required) {
                throw e;
            }
            log.debug("Upstream {}: server/discover failed ({}); using initialize", config.name(),
                    FailureReasons.describe(e, secrets));
            return null;
        }
        List<String> versions = discovered == null || discovered.supportedVersions() == null ? List.of()
                : discovered.supportedVersions();
        if (!versions.contains(ModernSession.VERSION)) {
            if (required) {
                throw new IllegalStateException("the upstream does not support MCP " + ModernSession.VERSION
                        + " (it lists " + versions + "); set protocol: auto or 2025");
            }
            return null;
        }
        return new ModernSession(config.name(), client, discovered, json, hooks, requests, secrets,
                config.connectTimeout(), backstop);
    }

    private static Duration backstop(UpstreamConfig config) {
        return (config.callTimeout().compareTo(config.connectTimeout()) > 0
                ? config.callTimeout() : config.connectTimeout()).plusSeconds(5);
    }

    McpAsyncClient create(UpstreamConfig config, UpstreamAuth auth, Secrets secrets, Hooks hooks) {
        // The wrapper relays the upstream's sampling/elicitation requests and call-bound log messages to the calling
        // client, and lets a cancellation be forwarded upstream (see CallRelay).
        McpClientTransport transport = new RelayingTransport(transport(config, auth, secrets, hooks), hooks.relay());
        // Our own deadlines fire first (the call timeout in Requests, the connect timeout around initialize); the
        // SDK's two are only backstops, and the same one: the SDK arms its initialization timeout on every request,
        // even long after initializing, and a shorter one would become the head of Reactor's timer queue each time
        // and wake its thread (a twentieth of Caravan's CPU per relayed call).
        Duration backstop = (config.callTimeout().compareTo(config.connectTimeout()) > 0
                ? config.callTimeout() : config.connectTimeout()).plusSeconds(5);
        return McpClient.async(transport)
                .clientInfo(new McpSchema.Implementation("caravan", VERSION))
                // Declared so that upstreams send them; RelayingTransport takes both requests out before the SDK
                // session and asks the calling client (the handlers below are never reached).
                .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation(true, false).build())
                .sampling(request -> Mono.error(new IllegalStateException("sampling is relayed by Caravan")))
                .elicitation(request -> Mono.error(new IllegalStateException("elicitation is relayed by Caravan")))
                .requestTimeout(backstop)
                .initializationTimeout(backstop)
                .toolsChangeConsumer(tools -> Mono.fromRunnable(() -> hooks.toolsChanged().accept(tools)))
                .resourcesChangeConsumer(resources -> Mono.fromRunnable(hooks.resourcesChanged()))
                .promptsChangeConsumer(prompts -> Mono.fromRunnable(() -> hooks.promptsChanged().accept(prompts)))
                .progressConsumer(p -> Mono.fromRunnable(() -> hooks.progress().accept(p)))
                .loggingConsumer(m -> Mono.fromRunnable(() -> hooks.log().accept(m)))
                .build();
    }

    private McpClientTransport transport(UpstreamConfig config, UpstreamAuth auth, Secrets secrets, Hooks hooks) {
        switch (config.transport()) {
            case STDIO -> {
                Map<String, String> env = new LinkedHashMap<>();
                config.env().forEach((k, v) -> env.put(k, secrets.resolve(v)));
                ServerParameters params = ServerParameters.builder(config.command())
                        .args(config.args().stream().map(secrets::resolve).toList()).env(env).build();
                CleanEnvStdioTransport stdio = new CleanEnvStdioTransport(params, json, config.name(),
                        hooks.processExited());
                stdio.setStdErrorHandler(line -> log.debug("upstream {} stderr: {}", config.name(), line));
                return stdio;
            }
            case STREAMABLE_HTTP -> {
                URI uri = URI.create(secrets.resolve(config.url()));
                return HttpClientStreamableHttpTransport.builder(base(uri)).endpoint(pathAndQuery(uri))
                        .jsonMapper(json).connectTimeout(config.connectTimeout())
                        .customizeClient(UpstreamClientFactory::onItsOwnThreads)
                        .asyncHttpRequestCustomizer(auth.customizer())
                        .authorizationErrorHandler(auth.onAuthorizationError())
                        .build();
            }
            case SSE -> {
                URI uri = URI.create(secrets.resolve(config.url()));
                // The SDK's SSE transport has no authorization error handler: SseAuthRetry adds the 401 retry.
                return new SseAuthRetry(() -> HttpClientSseClientTransport.builder(base(uri))
                        .sseEndpoint(pathAndQuery(uri)).jsonMapper(json).connectTimeout(config.connectTimeout())
                        .customizeClient(UpstreamClientFactory::onItsOwnThreads)
                        .asyncHttpRequestCustomizer(auth.customizer())
                        .build(), auth.onAuthorizationError());
            }
            default -> throw new IllegalStateException(config.transport().toString());
        }
    }

    /**
     * The HTTP client does its own work on the threads that are already there (the caller's when sending, its
     * selector's when receiving) instead of handing every step to a worker pool. By default java.net.http passes
     * each request about four times between a cached pool's threads, the largest single cost of relaying a call;
     * without those hand-offs relaying costs about 40 % less CPU ({@code bench/upstream.sh}). The JDK's maintainers
     * intend the client's executor for short non-blocking tasks, which may run inline: nothing that blocks runs
     * there (relaying to the calling client is moved off it, see {@link CallRelay}; OAuth work runs on Reactor's
     * bounded-elastic workers).
     */
    private static void onItsOwnThreads(HttpClient.Builder client) {
        client.executor(Runnable::run);
    }

    private static String base(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
}
