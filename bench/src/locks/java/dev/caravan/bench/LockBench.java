package dev.caravan.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.caravan.workspace.lock.LockMode;
import dev.caravan.workspace.lock.LockRepository;
import dev.caravan.workspace.lock.LockService;
import dev.caravan.workspace.storage.WorkspacePath;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lock acquire + release cycles per second on PostgreSQL, behind bench/locks.sh. Two layers:
 * <ul>
 * <li>{@code layer=service}: Caravan's LockService in this JVM on a Hikari pool (what a tool call costs in the
 * database, without HTTP, JSON-RPC or Camel);</li>
 * <li>{@code layer=mcp}: tools/call lock_acquire then tools/call lock_release against a running Caravan, one MCP
 * session per worker over raw Streamable HTTP.</li>
 * </ul>
 * The mcp layer first runs an unprinted round ({@code jit-warmup} seconds, default 30) so the freshly started server
 * is JIT-compiled before the rows. Every worker locks its own path in ONE workspace, so every acquire queues on the same guard row: the case the
 * cross-node guarantee costs most. Arguments are key=value; figures are printed, nothing is judged but the target
 * is shown beside each row.
 */
public final class LockBench {
    private static final Pattern TOKEN = Pattern.compile("lockToken: (lck_[A-Za-z0-9_-]+)");

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "3"));
        int measure = Integer.parseInt(args.getOrDefault("measure", "8"));
        List<Integer> threads = Arrays.stream(args.getOrDefault("threads", "1,4,16").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        String layer = args.get("layer");
        System.out.printf("%-8s %8s %12s %10s %10s %8s%n", "layer", "workers", "cycles/s", "p50 ms", "p99 ms", "errors");
        if ("service".equals(layer)) {
            try (HikariDataSource ds = new HikariDataSource()) {
                ds.setJdbcUrl(args.get("url"));
                ds.setUsername(args.getOrDefault("user", "postgres"));
                ds.setPassword("");
                ds.setMaximumPoolSize(Integer.parseInt(args.getOrDefault("pool", "10")));
                Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
                JdbcTemplate jdbc = new JdbcTemplate(ds);
                LockService locks = new LockService(new LockRepository(jdbc),
                        new TransactionTemplate(new DataSourceTransactionManager(ds)), Duration.ofMinutes(5),
                        Duration.ofHours(1), Clock.systemUTC());
                for (int n : threads) {
                    run("service", n, warmup, measure, worker -> {
                        WorkspacePath path = WorkspacePath.of("bench/w" + worker);
                        return () -> {
                            LockService.Acquired a = locks.acquire("bench", path, LockMode.EXCLUSIVE, null,
                                    "bench/w" + worker, Duration.ZERO);
                            locks.release("bench", a.token());
                        };
                    });
                }
            }
        } else if ("mcp".equals(layer)) {
            URI mcp = URI.create(args.get("base")).resolve("/mcp/" + args.getOrDefault("endpoint", "locks"));
            String token = args.get("token");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            int jitWarmup = Integer.parseInt(args.getOrDefault("jit-warmup", "30"));
            List<Integer> rows = new ArrayList<>();
            if (jitWarmup > 0) {
                rows.add(-Collections.max(threads)); // a first, unprinted round: the server JIT-compiles its hot paths
            }
            rows.addAll(threads);
            for (int row : rows) {
                int n = Math.abs(row);
                boolean warm = row < 0;
                List<RawMcp> sessions = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    sessions.add(RawMcp.open(http, mcp, token, "w" + i));
                }
                AtomicLong ids = new AtomicLong();
                run(warm ? null : "mcp", n, warm ? 0 : warmup, warm ? jitWarmup : measure, worker -> {
                    RawMcp s = sessions.get(worker);
                    return () -> {
                        String acquired = tool(http, mcp, token, s, ids.incrementAndGet(), "lock_acquire",
                                "{\"workspace\":\"default\",\"path\":\"bench/w" + worker + "\"}");
                        Matcher m = TOKEN.matcher(acquired);
                        if (!m.find()) {
                            throw new IllegalStateException("no lockToken in " + RawMcp.abbreviate(acquired));
                        }
                        tool(http, mcp, token, s, ids.incrementAndGet(), "lock_release",
                                "{\"workspace\":\"default\",\"lockToken\":\"" + m.group(1) + "\"}");
                    };
                });
                sessions.forEach(RawMcp::close);
            }
        } else {
            throw new IllegalArgumentException("layer=service or layer=mcp");
        }
        System.out.println("target: >= 1,000 acquire/release cycles per second on PostgreSQL");
        System.exit(0);
    }

    /** One tools/call; fails unless it answered without isError. */
    static String tool(HttpClient http, URI uri, String token, RawMcp s, long id, String name, String arguments)
            throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + name + "\",\"arguments\":" + arguments + "}}";
        HttpResponse<String> r = http.send(RawMcp.post(uri, token, s.sessionId, s.protocolVersion, body),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().contains("\"isError\":false")) {
            throw new IllegalStateException(name + " answered " + r.statusCode() + ": " + RawMcp.abbreviate(r.body()));
        }
        return r.body();
    }

    interface Cycle {
        void run() throws Exception;
    }

    interface Workers {
        Cycle worker(int index);
    }

    /** Closed loop: each worker runs cycles back to back; counts those that start and end in the measured phase. */
    static void run(String layer, int n, int warmupSeconds, int measureSeconds, Workers workers) throws Exception {
        long start = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        long end = start + measureSeconds * 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<long[]> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Cycle cycle = workers.worker(i);
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            int index = i;
            Thread t = new Thread(() -> {
                int count = 0;
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        try {
                            cycle.run();
                        } catch (Exception e) {
                            if (t0 >= start) {
                                errors.incrementAndGet();
                            }
                            firstError.compareAndSet(null, e.getMessage());
                            continue;
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= start && t1 <= end && count < mine.length - 1) {
                            mine[++count] = t1 - t0;
                        }
                    }
                } finally {
                    mine[0] = count;
                    done.countDown();
                }
            }, "lock-bench-" + index);
            t.start();
        }
        done.await();
        long total = 0;
        for (long[] l : latencies) {
            total += l[0];
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] l : latencies) {
            for (int j = 1; j <= l[0]; j++) {
                all[k++] = l[j];
            }
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
        if (layer == null) {
            System.out.printf("(server warm-up: %d s at %d workers, %.0f cycles/s, not a result)%n", measureSeconds, n,
                    total / (double) measureSeconds);
            return;
        }
        System.out.printf("%-8s %8d %12.0f %10.2f %10.2f %8d%s%n", layer, n, total / (double) measureSeconds, p50, p99,
                errors.get(), firstError.get() == null ? "" : "  first error: " + firstError.get());
    }
}
