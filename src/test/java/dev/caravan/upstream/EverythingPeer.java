package dev.caravan.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code @modelcontextprotocol/server-everything} (installed in test-peers/ by npm ci) run with the
 * Node 22 binary from test-peers, over Streamable HTTP or legacy SSE on a loopback port. Stdio instances are
 * started by Caravan itself from {@link #stdioArgs()}.
 */
final class EverythingPeer implements AutoCloseable {
    static final Path PEERS = Path.of("test-peers").toAbsolutePath();
    static final Path NODE = PEERS.resolve("node_modules/node/bin/node");
    static final Path SCRIPT = PEERS.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");

    private final String mode;
    private final int port;
    private Process process;

    private EverythingPeer(String mode, int port) {
        this.mode = mode;
        this.port = port;
    }

    static EverythingPeer streamableHttp(int port) {
        return new EverythingPeer("streamableHttp", port).start();
    }

    static EverythingPeer sse(int port) {
        return new EverythingPeer("sse", port).start();
    }

    static List<String> stdioArgs() {
        return List.of(SCRIPT.toString(), "stdio");
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port + (mode.equals("sse") ? "/sse" : "/mcp");
    }

    synchronized EverythingPeer start() {
        if (!Files.isExecutable(NODE) || !Files.exists(SCRIPT)) {
            throw new IllegalStateException("test peers missing: run `npm ci` in test-peers (Maven does it in "
                    + "generate-test-resources)");
        }
        try {
            Path log = Files.createTempFile("everything-" + mode + "-" + port, ".log");
            ProcessBuilder pb = new ProcessBuilder(NODE.toString(), SCRIPT.toString(), mode)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("PORT", String.valueOf(port));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server-everything " + mode + " exited with " + process.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IllegalStateException("server-everything " + mode + " did not listen on " + port + " within 30 s");
    }

    /** Kills the process (SIGKILL: it dies as a crashed server would) and waits until it is gone. */
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
    }

    @Override
    public void close() {
        kill();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
