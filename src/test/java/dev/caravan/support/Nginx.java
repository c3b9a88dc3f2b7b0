package dev.caravan.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx ({@code /usr/sbin/nginx}) in the foreground with a configuration of the test's own, under a prefix
 * directory of its own (logs, temp files, pid), so it needs no root and leaves nothing behind.
 */
public final class Nginx implements AutoCloseable {
    public static final String BINARY = "/usr/sbin/nginx";

    private final Path prefix;
    private final Process process;

    private Nginx(Path prefix, Process process) {
        this.prefix = prefix;
        this.process = process;
    }

    /**
     * Starts nginx with {@code http} as the body of its {@code http {}} block and waits until it listens on
     * {@code port}.
     */
    public static Nginx start(Path prefix, String http, int port) throws IOException, InterruptedException {
        for (String d : List.of("conf", "logs", "temp/body", "temp/proxy", "temp/fastcgi", "temp/uwsgi", "temp/scgi")) {
            Files.createDirectories(prefix.resolve(d));
        }
        Files.writeString(prefix.resolve("conf/nginx.conf"), """
                worker_processes 1;
                pid logs/nginx.pid;
                error_log logs/error.log warn;
                events { worker_connections 1024; }
                http {
                    client_body_temp_path temp/body;
                    proxy_temp_path temp/proxy;
                    fastcgi_temp_path temp/fastcgi;
                    uwsgi_temp_path temp/uwsgi;
                    scgi_temp_path temp/scgi;
                %s
                }
                """.formatted(http.indent(4)));
        Process process = new ProcessBuilder(BINARY, "-p", prefix + "/", "-c", "conf/nginx.conf", "-e", "logs/error.log",
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile())
                .start();
        Nginx nginx = new Nginx(prefix, process);
        Runtime.getRuntime().addShutdownHook(new Thread(nginx::close));
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return nginx;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > end) {
                    nginx.close();
                    throw new AssertionError("nginx did not start: " + Files.readString(prefix.resolve("logs/error.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    public Path prefix() {
        return prefix;
    }

    public String errorLog() throws IOException {
        return Files.readString(prefix.resolve("logs/error.log"));
    }

    /**
     * Stops nginx with SIGTERM, which makes its master stop the workers too; a SIGKILLed master would leave its
     * worker running and listening after the test. Whatever is left after 10 s is killed, workers included.
     */
    @Override
    public void close() {
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
    }
}
