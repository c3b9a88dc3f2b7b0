package dev.caravan.workspace;

import dev.caravan.CaravanApplication;
import dev.caravan.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Caravan nodes in two PROCESSES (this JVM and a child JVM: within one JVM the local backend's per-path lock
 * already serialises conditional writes) on one PostgreSQL schema and one shared local folder. Writers on both
 * nodes increment a counter file through the HTTP file API with {@code If-Match}; every 2xx must be one increment,
 * so the final counter equals the number of successful writes (a lost update leaves it lower). Without the
 * per-path lock about 1 in 400 such writes was lost; {@code -Dcaravan.cas-it.seconds=60} runs longer than the
 * default 20 s to catch it more surely.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossNodeCompareAndSwapIT {
    static final String ADMIN_TOKEN = "cross-node-cas-admin-token";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern PORT = Pattern.compile("Tomcat started on port (?:\\(s\\): )?(\\d+)");
    static final int THREADS_PER_NODE = 4;
    static final Duration RUN_FOR = Duration.ofSeconds(Long.getLong("caravan.cas-it.seconds", 20));

    ConfigurableApplicationContext local;
    Process child;
    Path childLog;
    final List<String> bases = new ArrayList<>();

    @BeforeAll
    void startTwoNodes() throws Exception {
        String schema = TestDatabases.newPostgresSchema();
        Path shared = Files.createTempDirectory("caravan-cas-shared");
        String[] one = arguments("node1", schema, shared);
        String[] two = arguments("node2", schema, shared);
        childLog = Files.createTempFile("caravan-cas-node2", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx384m", "-cp", System.getProperty("java.class.path"), CaravanApplication.class.getName()));
        command.addAll(List.of(two));
        child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
        local = new SpringApplicationBuilder(CaravanApplication.class).run(one);
        bases.add("http://127.0.0.1:" + local.getEnvironment().getProperty("local.server.port"));
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Matcher m = PORT.matcher(Files.readString(childLog));
            if (m.find()) {
                bases.add("http://127.0.0.1:" + m.group(1));
                break;
            }
            if (!child.isAlive() || System.nanoTime() > end) {
                throw new AssertionError("node 2 did not start:\n" + Files.readString(childLog));
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (child != null) {
            child.destroy();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        if (local != null) {
            local.close();
        }
    }

    static String[] arguments(String name, String schema, Path shared) throws Exception {
        Path root = Files.createTempDirectory("caravan-cas-" + name);
        Path connectors = Files.createDirectories(root.resolve("connectors"));
        Files.writeString(connectors.resolve("workspaces.yaml"), """
                workspaces:
                  - name: team
                    backend: local
                    root: %s
                """.formatted(shared));
        Map<String, String> settings = Map.ofEntries(
                Map.entry("server.port", "0"),
                Map.entry("server.address", "127.0.0.1"),
                Map.entry("spring.datasource.url", TestDatabases.POSTGRES_URL + "?currentSchema=" + schema),
                Map.entry("spring.datasource.username", "postgres"),
                Map.entry("spring.datasource.password", ""),
                Map.entry("camel.main.name", name),
                Map.entry("caravan.routes-dir", Files.createDirectories(root.resolve("routes")).toString()),
                Map.entry("caravan.connectors-dir", connectors.toString()),
                Map.entry("caravan.data-dir", Files.createDirectories(root.resolve("data")).toString()),
                Map.entry("CARAVAN_ADMIN_TOKEN", ADMIN_TOKEN));
        return settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI counter(String base) {
        return URI.create(base + "/files/team/counter.txt");
    }

    @Test
    void ifMatchWritesFromTwoNodesLoseNoUpdate() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(counter(bases.get(0)))
                .header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString("0")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // Create-only from the other node on the existing file is refused.
        assertThat(send(HttpRequest.newBuilder(counter(bases.get(1))).header("If-None-Match", "*")
                .PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(412);

        AtomicInteger successes = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger readRaces = new AtomicInteger();
        long end = System.nanoTime() + RUN_FOR.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
        List<Future<?>> writers = new ArrayList<>();
        for (int i = 0; i < 2 * THREADS_PER_NODE; i++) {
            String base = bases.get(i % 2);
            writers.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    HttpResponse<String> read = send(HttpRequest.newBuilder(counter(base)).GET());
                    if (read.statusCode() == 400 && read.body().contains("changed while being opened")) {
                        readRaces.incrementAndGet(); // a read that met a rename; not what this test is about
                        continue;
                    }
                    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                    String etag = read.headers().firstValue("ETag").orElseThrow();
                    int next = Integer.parseInt(read.body().strip()) + 1;
                    HttpResponse<String> put = send(HttpRequest.newBuilder(counter(base)).header("If-Match", etag)
                            .PUT(HttpRequest.BodyPublishers.ofString(Integer.toString(next))));
                    if (put.statusCode() / 100 == 2) {
                        successes.incrementAndGet();
                    } else if (put.statusCode() == 400 && put.body().contains("changed while being opened")) {
                        readRaces.incrementAndGet(); // its check met a rename: refused, nothing written
                    } else {
                        assertThat(put.statusCode()).as(put.body()).isEqualTo(412);
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        for (Future<?> w : writers) {
            w.get(RUN_FOR.toSeconds() + 30, TimeUnit.SECONDS);
        }
        String last = send(HttpRequest.newBuilder(counter(bases.get(1))).GET()).body().strip();
        System.out.println("CAS: " + successes + " writes succeeded, " + refused + " refused with 412, counter "
                + last + ", " + readRaces + " reads or checks met a rename");
        assertThat(successes.get()).as("some writes succeeded").isGreaterThan(10);
        assertThat(Integer.parseInt(last)).as("every successful If-Match write is one increment (" + refused
                + " refused)").isEqualTo(successes.get());
    }
}
