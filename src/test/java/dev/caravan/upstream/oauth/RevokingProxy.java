package dev.caravan.upstream.oauth;

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
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * A streaming reverse proxy in front of the real OAuth example server that can revoke every token at once: while
 * {@link #revoke} is on, each request is answered 401 {@code invalid_token} as a resource server does for a revoked
 * or expired token. (The example server itself answers 500 for a token its authorization server no longer knows,
 * so a restart cannot stand in for revocation.)
 */
public final class RevokingProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of("host", "connection", "content-length", "transfer-encoding",
            "upgrade", "keep-alive", "expect");
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String target;
    private volatile boolean revoked;
    private volatile String required;
    private final java.util.concurrent.atomic.AtomicInteger refusedCount = new java.util.concurrent.atomic.AtomicInteger();

    public RevokingProxy(String target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "revoking-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://localhost:" + server.getAddress().getPort() + path;
    }

    void revoke(boolean on) {
        revoked = on;
    }

    /** From now on only {@code Authorization: Bearer TOKEN} passes; every other request is answered 401. */
    public void requireToken(String token) {
        required = token;
    }

    /** How many requests were answered 401 so far. */
    public int refusedCount() {
        return refusedCount.get();
    }

    private boolean refused(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        boolean refused = required != null ? !("Bearer " + required).equals(auth) : revoked && auth != null;
        if (refused) {
            refusedCount.incrementAndGet();
        }
        return refused;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (refused(ex)) {
                byte[] body = "{\"error\":\"invalid_token\",\"error_description\":\"Token revoked\"}".getBytes();
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\", "
                        + "error_description=\"Token revoked\"");
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(401, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(
                            ex.getRequestBody().readAllBytes()));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase())) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                ex.sendResponseHeaders(502, -1);
                return;
            }
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
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
