package dev.caravan.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak: sessions calling bench_echo at a fixed rate in all for a long time, to show that nothing degrades or
 * leaks. Prints errors (target 0), p50/p99/max per minute and overall, and the server's heap after a full GC before
 * and after. Each call's latency counts from when it was due, so a stall is charged to the calls it delayed.
 */
public final class Soak {
    private static final PrintStream OUT = System.out;

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        URI uri = URI.create(args.get("url"));
        String token = args.get("token");
        long pid = Long.parseLong(args.get("pid"));
        int sessions = Integer.parseInt(args.getOrDefault("sessions", "16"));
        double rate = Double.parseDouble(args.getOrDefault("rate", "50"));
        long durationS = Long.parseLong(args.getOrDefault("duration", "600"));
        long warmupS = Long.parseLong(args.getOrDefault("warmup", "30"));
        Heap heap = new Heap(pid);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<RawMcp> clients = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            clients.add(RawMcp.open(http, uri, token, "soak" + i));
        }
        OUT.printf("%d sessions open; warm-up %d s at %.0f calls/s%n", sessions, warmupS, rate);
        run(clients, rate, warmupS, false);
        long before = heap.usedAfterGc();
        OUT.printf("heap after GC at start: %.1f MB%n", before / 1e6);
        OUT.printf("soak: %d s at %.0f calls/s in all over %d sessions%n", durationS, rate, sessions);
        long[] totals = run(clients, rate, durationS, true);
        long after = heap.usedAfterGc();
        OUT.printf("heap after GC at end:   %.1f MB (%+.1f MB)%n", after / 1e6, (after - before) / 1e6);
        OUT.printf("RESULT calls=%d errors=%d p50=%.2f ms p99=%.2f ms max=%.2f ms heap-start=%.1f MB heap-end=%.1f MB%n",
                totals[0], totals[1], totals[2] / 1e6, totals[3] / 1e6, totals[4] / 1e6, before / 1e6, after / 1e6);
        clients.forEach(RawMcp::close);
    }

    /** Runs the paced load; returns calls, errors, p50, p99, max (ns). Prints a line a minute when {@code report}. */
    private static long[] run(List<RawMcp> clients, double rate, long seconds, boolean report) throws InterruptedException {
        int n = clients.size();
        long interval = (long) (n * 1e9 / rate);            // each session's period
        long start = System.nanoTime() + 100_000_000L;
        long end = start + seconds * 1_000_000_000L;
        int expected = (int) (rate * seconds / n) + 2;
        long[][] latencies = new long[n][expected];
        int[] counts = new int[n];
        AtomicLong errors = new AtomicLong();
        AtomicLong seq = new AtomicLong(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            int worker = w;
            RawMcp client = clients.get(w);
            Thread thread = new Thread(() -> {
                long due = start + worker * interval / n;   // spread the sessions over the period
                while (due < end && counts[worker] < expected) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    try {
                        client.call(seq.getAndIncrement());
                    } catch (Exception e) {
                        if (errors.incrementAndGet() <= 5) {
                            OUT.println("error: " + e.getMessage());
                        }
                    }
                    latencies[worker][counts[worker]++] = System.nanoTime() - due;
                    due += interval;
                }
            }, "soak-" + w);
            thread.start();
            threads.add(thread);
        }
        if (report) {
            long minute = 60_000_000_000L;
            for (long t = start + minute; t < end; t += minute) {
                long sleep = t - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000);
                }
                int calls = Arrays.stream(counts).sum();
                OUT.printf("  %3d min: %d calls, %d errors%n", (t - start) / minute, calls, errors.get());
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        long[] all = new long[Arrays.stream(counts).sum()];
        int k = 0;
        for (int w = 0; w < n; w++) {
            System.arraycopy(latencies[w], 0, all, k, counts[w]);
            k += counts[w];
        }
        Arrays.sort(all);
        if (all.length == 0) {
            return new long[]{0, errors.get(), 0, 0, 0};
        }
        return new long[]{all.length, errors.get(), all[all.length / 2], all[(int) Math.min(all.length - 1, all.length * 0.99)],
                all[all.length - 1]};
    }
}
