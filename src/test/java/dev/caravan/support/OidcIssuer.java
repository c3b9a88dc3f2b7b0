package dev.caravan.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A real authorization server on loopback: {@code oidc-provider} from test-peers run by {@code oauth-issuer.mjs}
 * with the Node 22 binary there. Clients (client_credentials, secret {@code ID-secret}): {@code writer}
 * (mcp:read mcp:write), {@code reader} (mcp:read), {@code outsider} (other), {@code brief} (tokens live 1 s), {@code short} (4 s),
 * {@code caravan} (for introspection). Every start makes a new signing key.
 */
public final class OidcIssuer implements AutoCloseable {
    static final Path PEERS = Path.of("test-peers").toAbsolutePath();
    static final Path NODE = PEERS.resolve("node_modules/node/bin/node");
    static final Path SCRIPT = PEERS.resolve("oauth-issuer.mjs");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final int port;
    private final Process process;

    private OidcIssuer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts one issuing JWT access tokens, or opaque ones (for introspection). */
    public static OidcIssuer start(boolean opaque) {
        if (!Files.isExecutable(NODE)) {
            throw new IllegalStateException("test peers missing: run `npm ci` in test-peers");
        }
        int port = freePort();
        Process process;
        try {
            Path log = Files.createTempFile("oidc-issuer-" + port, ".log");
            ProcessBuilder pb = new ProcessBuilder(NODE.toString(), SCRIPT.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("ISSUER_PORT", String.valueOf(port));
            pb.environment().put("TOKEN_FORMAT", opaque ? "opaque" : "jwt");
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("oauth-issuer.mjs exited with " + process.exitValue());
            }
            if (listening(port)) {
                return new OidcIssuer(port, process);
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("oauth-issuer.mjs did not listen within 30 s");
    }

    public String issuer() {
        return "http://127.0.0.1:" + port;
    }

    /** A client_credentials access token for {@code resource} (RFC 8707) with the client's scopes. */
    public String token(String client, String scope, String resource) {
        JsonNode answer = tokenResponse(client, scope, resource);
        if (!answer.has("access_token")) {
            throw new AssertionError("the issuer refused a token: " + answer);
        }
        return answer.get("access_token").asText();
    }

    public JsonNode tokenResponse(String client, String scope, String resource) {
        String form = "grant_type=client_credentials&scope=" + enc(scope) + "&resource=" + enc(resource);
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (client + ":" + client + "-secret").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        try {
            return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
