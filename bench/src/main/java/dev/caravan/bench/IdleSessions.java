package dev.caravan.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Heap cost of open MCP sessions that hold an idle SSE stream: N Streamable HTTP sessions (initialize +
 * notifications/initialized), each with its standalone GET stream held open on its own raw socket. Every stream
 * is proven live by a tools/list_changed notification that the server pushes to all of them; the server's heap is
 * measured after a forced full GC before the sessions, with the sessions, and with the streams too.
 */
final class IdleSessions {
    private static final String TOUCH_FILE = "bench-touch.yaml";
    private static final int OPENERS = 4;

    private final URI mcp;
    private final String token;
    private final Path routesDir;
    private final Heap heap;
    private final PrintStream out;

    IdleSessions(URI mcp, String token, Path routesDir, Heap heap, PrintStream out) {
        this.mcp = mcp;
        this.token = token;
        this.routesDir = routesDir;
        this.heap = heap;
        this.out = out;
    }

    void run(int count) throws Exception {
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < OPENERS; i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build());
        }
        // A tool whose description the run changes later to make the server notify every stream; it exists before
        // the baseline so that the change replaces it rather than adding to the heap.
        touchRoute("v1");
        RawMcp probe = RawMcp.open(clients.get(0), mcp, token, "probe");
        awaitTool(clients.get(0), probe, "bench_touch", "v1");

        long base = heap.usedAfterGc();
        long t0 = System.nanoTime();
        List<RawMcp> sessions = openSessions(clients, count);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        long withSessions = heap.usedAfterGc();

        List<Socket> streams = new ArrayList<>();
        int live;
        long withStreams;
        try {
            t0 = System.nanoTime();
            for (RawMcp s : sessions) {
                streams.add(openStream(s));
            }
            double streamSeconds = (System.nanoTime() - t0) / 1e9;
            Load.sleepQuietly(1000); // let the server take in the last GETs before it is asked to notify them
            touchRoute("v2");
            live = awaitNotifications(streams, Duration.ofSeconds(60));
            withStreams = heap.usedAfterGc();

            out.printf("opened %d sessions in %.1f s and %d GET streams in %.1f s (raw sockets, one per stream)%n",
                    sessions.size(), openSeconds, streams.size(), streamSeconds);
            out.printf("streams proven live (server pushed notifications/tools/list_changed to each): %d of %d%n",
                    live, streams.size());
            out.printf("server heap after full GC, baseline:                 %8.1f MB%n", mb(base));
            out.printf("  + %d initialized sessions (no stream):          %8.1f MB  (%+.1f MB, %.1f KB/session)%n",
                    count, mb(withSessions), mb(withSessions - base), kb(withSessions - base) / count);
            out.printf("  + their %d idle standalone SSE streams:         %8.1f MB  (%+.1f MB, %.1f KB/stream)%n",
                    count, mb(withStreams), mb(withStreams - withSessions), kb(withStreams - withSessions) / count);
            out.printf("heap cost of %d open sessions with idle SSE streams: %.1f MB (%.1f KB per session)  "
                            + "[target <= 150 MB: %s]%n", count, mb(withStreams - base), kb(withStreams - base) / count,
                    live == count && mb(withStreams - base) <= 150 ? "MET" : live != count ? "NOT MEASURED (streams lost)" : "MISSED");
            out.println("(" + heap.describe() + ")");
        } finally {
            for (Socket s : streams) {
                closeQuietly(s);
            }
            closeSessions(sessions);
            probe.close();
            Files.deleteIfExists(routesDir.resolve(TOUCH_FILE));
        }
    }

    private List<RawMcp> openSessions(List<HttpClient> clients, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(OPENERS);
        try {
            List<Future<RawMcp>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                HttpClient client = clients.get(i % clients.size());
                String prefix = "idle" + i;
                futures.add(pool.submit(() -> RawMcp.open(client, mcp, token, prefix)));
            }
            List<RawMcp> sessions = new ArrayList<>();
            for (Future<RawMcp> f : futures) {
                sessions.add(f.get());
            }
            return sessions;
        } finally {
            pool.shutdownNow();
        }
    }

    private void closeSessions(List<RawMcp> sessions) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(OPENERS);
        sessions.forEach(s -> pool.submit(s::close));
        pool.shutdown();
        pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        pool.shutdownNow();
    }

    /** GET on the MCP endpoint with the session id: the session's standalone SSE stream, held open. */
    private Socket openStream(RawMcp session) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(mcp.getHost(), mcp.getPort()), 5000);
        String request = "GET " + mcp.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + mcp.getHost() + ":" + mcp.getPort() + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Accept: text/event-stream\r\n"
                + "Mcp-Session-Id: " + session.sessionId + "\r\n"
                + "MCP-Protocol-Version: " + session.protocolVersion + "\r\n"
                + "\r\n";
        OutputStream o = socket.getOutputStream();
        o.write(request.getBytes(StandardCharsets.US_ASCII));
        o.flush();
        return socket;
    }

    /** Reads every stream until it carries tools/list_changed; returns how many did within the time limit. */
    private static int awaitNotifications(List<Socket> streams, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        int live = 0;
        byte[] buf = new byte[8192];
        for (Socket s : streams) {
            StringBuilder seen = new StringBuilder();
            try {
                InputStream in = s.getInputStream();
                while (System.nanoTime() < end) {
                    s.setSoTimeout((int) Math.max(1, Math.min(5000, (end - System.nanoTime()) / 1_000_000)));
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    if (n < 0) {
                        break;
                    }
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (seen.indexOf("notifications/tools/list_changed") >= 0) {
                        if (seen.indexOf("HTTP/1.1 200") == 0) {
                            live++;
                        }
                        break;
                    }
                }
            } catch (IOException e) {
                // counted as not live
            }
        }
        return live;
    }

    private void touchRoute(String version) throws IOException {
        String yaml = """
                # Written and removed by bench/run.sh (idle-session benchmark); changing it notifies every session.
                - route:
                    id: bench-touch
                    from:
                      uri: ai-tool:bench_touch
                      parameters:
                        tags: bench
                        description: Benchmark marker %s
                      steps:
                        - setBody:
                            constant: ok
                """.formatted(version);
        Path tmp = Files.createTempFile(routesDir, ".bench-touch", ".part");
        Files.writeString(tmp, yaml);
        Files.move(tmp, routesDir.resolve(TOUCH_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void awaitTool(HttpClient client, RawMcp session, String tool, String marker) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
        while (System.nanoTime() < end) {
            HttpResponse<String> r = client.send(RawMcp.post(mcp, token, session.sessionId, session.protocolVersion, body),
                    HttpResponse.BodyHandlers.ofString());
            if (r.body().contains("\"" + tool + "\"") && r.body().contains(marker)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("tool " + tool + " (" + marker + ") did not appear within 20 s");
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    static double kb(long bytes) {
        return bytes / 1024.0;
    }
}
