package dev.caravan.probe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.caravan.server.McpJson;
import dev.caravan.upstream.StandaloneUpstream;
import dev.caravan.upstream.UpstreamCallException;
import dev.caravan.upstream.UpstreamClientFactory;
import dev.caravan.upstream.UpstreamConfig;
import dev.caravan.upstream.UpstreamStatus;
import dev.caravan.upstream.oauth.UpstreamOAuth;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code probe}: connects to one MCP server exactly as the hub connects to an upstream (the same
 * {@link UpstreamClientFactory}, {@code UpstreamConnection}, OAuth discovery, registration, PKCE and token code),
 * but as a plain {@code main} without Spring, so it starts in well under a second. Initializes, lists the tools,
 * optionally calls one; prints what happened on stdout and why it failed on stderr. Also the client under test of
 * the MCP conformance suite's client scenarios ({@code ProbeConformanceIT}).
 */
public final class Probe {
    private static final long STARTED = System.nanoTime();
    private static final Set<String> SETTLED = Set.of("online", "error", "needs-authorization", "disabled");

    private final ProbeOptions options;
    private final PrintStream out;
    private final Object changed = new Object();
    private final ProbeClient client;
    private StandaloneUpstream upstream;
    private UpstreamOAuth oauth;
    private int authorizations;

    Probe(ProbeOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.client = new ProbeClient(options.elicitationAnswer(), out);
    }

    public static void main(String[] args) {
        List<String> list = Arrays.asList(args);
        if (list.contains("--help") || list.contains("-h")) {
            System.out.print(ProbeOptions.USAGE);
            System.exit(0);
        }
        ProbeOptions options;
        try {
            options = ProbeOptions.parse(list);
        } catch (ProbeOptions.Usage e) {
            System.err.println("probe: " + e.getMessage());
            System.err.println("Run probe --help for the options.");
            System.exit(2);
            return;
        }
        quietLogs(options.verbose());
        int code;
        try {
            code = new Probe(options, System.out).run();
        } catch (RuntimeException e) {
            System.err.println("probe: FAILED: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        System.out.flush();
        // The SDK's reactor and HTTP client threads are not all daemons: do not wait for them.
        System.exit(code);
    }

    int run() {
        UpstreamConfig config = options.upstream();
        Function<String, String> variables = System::getenv;
        UpstreamConfig.Auth.Type type = config.auth().type();
        if (type == UpstreamConfig.Auth.Type.OAUTH || type == UpstreamConfig.Auth.Type.OAUTH_CLIENT_CREDENTIALS) {
            // Only for OAuth upstreams: its token client (Spring's RestClient) costs a noticeable part of startup.
            oauth = UpstreamOAuth.inMemory(variables, new UpstreamOAuth.Connections() {
                @Override
                public String state(String name) {
                    return upstream.status().state();
                }

                @Override
                public void reconnect(String name) {
                    upstream.reconnect();
                }
            });
        }
        UpstreamClientFactory factory = new UpstreamClientFactory(McpJson.mapper(), c -> oauth.apply(c));
        upstream = new StandaloneUpstream(config, factory, Duration.ofMillis(200), variables);
        upstream.onChange(() -> {
            synchronized (changed) {
                changed.notifyAll();
            }
        });
        try {
            upstream.start();
            if (!connect()) {
                return 1;
            }
            List<McpSchema.Tool> tools = upstream.tools();
            out.println("tools: " + tools.size() + (tools.isEmpty() ? ""
                    : " (" + String.join(", ", tools.stream().map(McpSchema.Tool::name).toList()) + ")"));
            int code = 0;
            for (ProbeOptions.Call call : options.calls()) {
                code = Math.max(code, call(call));
            }
            return code;
        } finally {
            upstream.close();
        }
    }

    /**
     * Waits until online, authorizing (headlessly) when the upstream asks for it, also for more scope (a 403
     * insufficient_scope while listing); false with the reason on stderr.
     */
    private boolean connect() {
        Instant deadline = Instant.now().plus(options.timeout().multipliedBy(2));
        while (true) {
            UpstreamStatus s = awaitSettled(deadline);
            switch (s == null ? "timeout" : s.state()) {
                case "online" -> {
                    out.println("connected: " + config().target() + " (" + config().transport().id() + ") in "
                            + sinceStart() + " ms");
                    return true;
                }
                case "needs-authorization" -> {
                    if (oauth == null || !authorize(s.lastError())) {
                        return false;
                    }
                }
                case "timeout" -> {
                    return fail("not connected within " + options.timeout().multipliedBy(2).toSeconds() + " s ("
                            + upstream.status().state() + reason(upstream.status()) + ")");
                }
                case "error" -> {
                    // More scope wanted (403), or the token was refused mid-connect (401: e.g. the resource moved to
                    // another authorization server): one more authorization.
                    boolean again = oauth != null && (oauth.stepUpScope(config().name()) != null
                            || oauth.needsAuthorization(config().name()));
                    if (!again || !authorize(s.lastError())) {
                        return fail("cannot connect" + reason(s));
                    }
                }
                default -> {
                    return fail("cannot connect" + reason(s));
                }
            }
        }
    }

    /**
     * One more authorization-code flow, unless the limit is reached (an upstream that keeps asking for scope it
     * never accepts must not loop); false with the reason on stderr.
     */
    private boolean authorize(String why) {
        if (authorizations >= options.maxAuthorizations()) {
            return fail("still not authorized after " + authorizations + " authorizations: " + why);
        }
        authorizations++;
        authorizeOnce();
        return true;
    }

    /** One authorization-code flow: start it, play the browser, hand the callback to the connector. */
    private void authorizeOnce() {
        UpstreamOAuth.Started started = oauth.start(config().name(), options.redirectBase());
        out.println("authorizing: " + started.authorizationUrl().replaceAll("[?].*", "") + " -> "
                + started.redirectUri());
        HeadlessAuthorization.Callback back = new HeadlessAuthorization(options.timeout())
                .follow(started.authorizationUrl(), started.redirectUri());
        oauth.complete(back.state(), back.code(), back.iss(), back.error(), back.errorDescription());
        out.println("authorized");
    }

    private int call(ProbeOptions.Call call) {
        try {
            McpSchema.CallToolResult r = upstream.call(call.tool(), call.arguments(), client, options.timeout());
            out.println("called " + call.tool() + ": " + (Boolean.TRUE.equals(r.isError()) ? "isError" : "ok")
                    + " in " + sinceStart() + " ms");
            for (McpSchema.Content c : r.content() == null ? List.<McpSchema.Content>of() : r.content()) {
                out.println("  " + (c instanceof McpSchema.TextContent t ? t.text() : c.type()));
            }
            if (Boolean.TRUE.equals(r.isError())) {
                System.err.println("probe: the tool " + call.tool() + " answered with an error");
                return 1;
            }
            return 0;
        } catch (UpstreamCallException e) {
            // Step-up: the upstream wants more scope for this call; authorize for it, then call once more.
            if (oauth != null && oauth.stepUpScope(config().name()) != null && authorize(e.getMessage())
                    && connect()) {
                return call(call);
            }
            fail("calling " + call.tool() + " failed: " + e.getMessage());
            return 1;
        }
    }

    private UpstreamStatus awaitSettled(Instant deadline) {
        synchronized (changed) {
            while (true) {
                UpstreamStatus s = upstream.status();
                if (SETTLED.contains(s.state())) {
                    return s;
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    return null;
                }
                try {
                    changed.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /** Milliseconds since main() began (the JVM's own start, some 100 ms, comes before). */
    private static long sinceStart() {
        return (System.nanoTime() - STARTED) / 1_000_000;
    }

    private UpstreamConfig config() {
        return options.upstream();
    }

    private static String reason(UpstreamStatus s) {
        return s.lastError() == null ? "" : ": " + s.lastError();
    }

    private static boolean fail(String why) {
        System.err.println("probe: FAILED: " + why);
        return false;
    }

    /** The connector's logs on stderr (stdout is the probe's report), warnings only unless --verbose. */
    private static void quietLogs(boolean verbose) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger{0}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        root.setLevel(verbose ? Level.INFO : Level.WARN);
    }
}
