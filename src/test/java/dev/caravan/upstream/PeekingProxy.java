package dev.caravan.upstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A streaming reverse proxy in front of a real MCP server that counts the JSON-RPC methods of the requests passing
 * through (so a test can tell which era a client chose: {@code initialize} or {@code server/discover}), and can be
 * told to hold every request of one method unanswered until it closes (a hostile upstream), or to answer 503 to
 * everything for a while (an upstream that went down).
 */
final class PeekingProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of("host", "connection", "content-length", "transfer-encoding",
            "upgrade", "keep-alive", "expect");
    private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([^\"]+)\"");
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String target;
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String hang;
    private volatile boolean down;

    /** @param target scheme://host:port of the real server; request paths pass unchanged */
    PeekingProxy(String target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "peeking-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The proxy's URL for the target's URL (same path and query). */
    String url(String targetUrl) {
        URI u = URI.create(targetUrl);
        return "http://127.0.0.1:" + server.getAddress().getPort() + u.getRawPath()
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** From now on requests of this JSON-RPC method get no answer (until the proxy closes). */
    PeekingProxy hang(String method) {
        hang = method;
        return this;
    }

    /** While down, every request is answered 503 (the upstream's host is up, its server is not). */
    void down(boolean on) {
        down = on;
    }

    int count(String method) {
        AtomicInteger n = seen.get(method);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            Matcher m = METHOD.matcher(new String(body, StandardCharsets.UTF_8));
            String method = m.find() ? m.group(1) : ex.getRequestMethod();
            seen.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
            if (down) {
                ex.sendResponseHeaders(503, -1);
                return;
            }
            if (method.equals(hang)) {
                closed.await();
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase())) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            r.headers().map().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(v -> ex.getResponseHeaders().add(name, v));
                }
            });
            boolean empty = r.statusCode() == 204 || r.statusCode() == 304
                    || r.headers().firstValueAsLong("content-length").orElse(-1) == 0;
            ex.sendResponseHeaders(r.statusCode(), empty ? -1 : 0);
            try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client or the target went away: nothing to tell
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
