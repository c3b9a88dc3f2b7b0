package dev.caravan.upstream.oauth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TypeScript SDK's OAuth-protected example server ({@code simpleStreamableHttp.js --oauth}, from
 * {@code @modelcontextprotocol/sdk} in test-peers) run with the Node 22 binary from test-peers: an MCP server on
 * {@code http://localhost:MCP_PORT/mcp} and its demo authorization server on {@code http://localhost:MCP_AUTH_PORT}
 * (RFC 9728 + RFC 8414 metadata, RFC 7591 registration, an authorize endpoint that grants at once and redirects,
 * PKCE-checked token endpoint, introspection). Tokens and clients live in its memory: restarting it revokes them.
 * With {@code --oauth-strict} it only accepts tokens issued for its own URL (the RFC 8707 resource indicator).
 */
public final class OAuthDemoPeer implements AutoCloseable {
    static final Path PEERS = Path.of("test-peers").toAbsolutePath();
    static final Path NODE = PEERS.resolve("node_modules/node/bin/node");
    static final Path SCRIPT = PEERS.resolve(
            "node_modules/@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js");

    final int mcpPort;
    final int authPort;
    private final boolean strict;
    private Process process;

    public OAuthDemoPeer(int mcpPort, int authPort, boolean strict) {
        this.mcpPort = mcpPort;
        this.authPort = authPort;
        this.strict = strict;
    }

    public String url() {
        return "http://localhost:" + mcpPort + "/mcp";
    }

    public synchronized OAuthDemoPeer start() {
        if (!Files.isExecutable(NODE) || !Files.exists(SCRIPT)) {
            throw new IllegalStateException("test peers missing: run `npm ci` in test-peers");
        }
        try {
            Path log = Files.createTempFile("oauth-demo-" + mcpPort, ".log");
            List<String> command = new ArrayList<>(List.of(NODE.toString(), SCRIPT.toString(), "--oauth"));
            if (strict) {
                command.add("--oauth-strict");
            }
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("MCP_PORT", String.valueOf(mcpPort));
            pb.environment().put("MCP_AUTH_PORT", String.valueOf(authPort));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the OAuth example server exited with " + process.exitValue());
            }
            if (listening(mcpPort) && listening(authPort)) {
                return this;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the OAuth example server did not listen within 30 s");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills it (its in-memory clients and tokens die with it) and waits until it is gone. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((listening(mcpPort) || listening(authPort)) && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
