package dev.caravan.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx (Debian's package) on a loopback port in front of Caravan, adding the endpoint's credential as
 * {@code Authorization: Bearer} to every request and passing everything else through unchanged (Host, the MCP
 * headers, event streams unbuffered). The conformance suite 0.2 cannot send headers, and some of its scenarios
 * (http-header-validation, http-custom-header-server-validation) drop the query string, so the {@code ?key=}
 * secret URL does not reach Caravan there; through this proxy they run with a plain URL.
 */
final class HeaderKeyProxy implements AutoCloseable {
    static final Path NGINX = Path.of("/usr/sbin/nginx");

    private final Process nginx;
    private final int port;

    private HeaderKeyProxy(Process nginx, int port) {
        this.nginx = nginx;
        this.port = port;
    }

    /** Starts nginx in front of {@code localhost:upstreamPort}; waits until it accepts connections. */
    static HeaderKeyProxy start(int upstreamPort, String token) throws IOException, InterruptedException {
        assertThat(NGINX).as("nginx (Debian package nginx, installed by .ci/run)").isExecutable();
        assertThat(token).as("endpoint token").matches("[A-Za-z0-9_-]+");
        Path prefix = Files.createTempDirectory("caravan-nginx");
        Files.createDirectories(prefix.resolve("logs"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes 1;
                daemon off;
                pid PREFIX/nginx.pid;
                error_log PREFIX/logs/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path PREFIX/body;
                  proxy_temp_path PREFIX/proxy;
                  fastcgi_temp_path PREFIX/fastcgi;
                  uwsgi_temp_path PREFIX/uwsgi;
                  scgi_temp_path PREFIX/scgi;
                  server {
                    listen 127.0.0.1:PORT;
                    location / {
                      proxy_pass http://127.0.0.1:UPSTREAM;
                      proxy_http_version 1.1;
                      proxy_set_header Host $http_host;
                      proxy_set_header Connection "";
                      proxy_set_header Authorization "Bearer TOKEN";
                      proxy_buffering off;
                      proxy_request_buffering off;
                      proxy_read_timeout 120s;
                    }
                  }
                }
                """.replace("PREFIX", prefix.toString()).replace("UPSTREAM", String.valueOf(upstreamPort))
                .replace("PORT", String.valueOf(port)).replace("TOKEN", token));
        Process nginx = new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/console.log").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new HeaderKeyProxy(nginx, port);
            } catch (IOException notYet) {
                if (!nginx.isAlive()) {
                    throw new AssertionError("nginx exited: " + Files.readString(prefix.resolve("logs/console.log")));
                }
                Thread.sleep(50);
            }
        }
        nginx.destroyForcibly();
        throw new AssertionError("nginx did not listen on " + port + " within 15 s");
    }

    /** The endpoint's URL through the proxy, with the host name the DNS-rebinding scenario needs. */
    String url(String endpoint) {
        return "http://localhost:" + port + "/mcp/" + endpoint;
    }

    @Override
    public void close() throws InterruptedException {
        nginx.destroy();
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
            nginx.destroyForcibly();
        }
    }
}
