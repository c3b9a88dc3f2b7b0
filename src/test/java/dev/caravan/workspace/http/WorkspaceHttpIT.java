package dev.caravan.workspace.http;

import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.S3TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The real application with three workspaces: {@code default} (local), {@code s3} (on s3proxy, a real S3 server in
 * this JVM) and {@code small} (local, 1 KiB per file); the workspace tool routes loaded; a secret file beside the
 * workspaces that no request may reach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WorkspaceHttpIT extends CaravanIntegrationTest {
    static final String SECRET = "TOP-SECRET-OUTSIDE-THE-WORKSPACE";
    static S3TestServer s3;
    static Path connectors;

    @Autowired
    Workspaces workspaces;

    @DynamicPropertySource
    static void workspacesOnLocalAndS3(DynamicPropertyRegistry registry) throws Exception {
        s3 = S3TestServer.start(S3TestServer.Store.KEYS);
        s3.createBucket("caravan-http");
        connectors = Files.createTempDirectory("caravan-http-connectors");
        Files.writeString(connectors.resolve("workspaces.yaml"), """
                workspaces:
                  - name: default
                    backend: local
                    versions: 3
                  - name: s3
                    backend: s3
                    bucket: caravan-http
                    prefix: it
                    region: us-east-1
                    endpoint: %s
                    path-style: true
                    access-key-id: identity
                    secret-access-key: "${TEST_S3_SECRET}"
                    versions: 3
                  - name: small
                    backend: local
                    max-file-size: 1KB
                """.formatted(s3.endpoint()));
        registry.add("caravan.connectors-dir", connectors::toString);
        registry.add("TEST_S3_SECRET", () -> "credential");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeAll
    void loadRoutesAndPlantASecret() throws IOException {
        installRoutes("workspace");
        await(Duration.ofSeconds(20), "workspaces loaded", () -> workspaces.all().size() == 3);
        Files.writeString(dataDir.resolve("secret.txt"), SECRET);
        Files.writeString(dataDir.resolve("workspaces").resolve("secret.txt"), SECRET);
    }

    HttpRequest.Builder request(String rawPath) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + rawPath)).timeout(Duration.ofSeconds(120));
    }

    static HttpResponse<byte[]> bytes(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic pseudo-random content, generated as it is read (never held whole). */
    static InputStream content(long size, long seed) {
        return new InputStream() {
            final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
            long left = size;

            @Override
            public int read() {
                if (left <= 0) {
                    return -1;
                }
                left--;
                return random.nextInt(256);
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) random.nextInt(256);
                }
                left -= n;
                return n;
            }
        };
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        int n;
        long total = 0;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return total + ":" + HexFormat.of().formatHex(digest.digest());
    }
}
