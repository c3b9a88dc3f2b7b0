package dev.caravan.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator: N workers, each with its own session or connection, send one request, wait for the answer,
 * send the next. Closed loop by default (the next request as soon as the answer is in); paced when given a total
 * rate, each worker then sends on a fixed schedule and a request's latency counts from when it was due, so a slow
 * answer that delays the next request is charged to that one too (no coordinated omission). Every worker runs a
 * warm-up phase, then a measured phase; a request counts when it was due and finished inside the measured phase.
 * Loops are bounded by time and by count.
 */
final class Load {
    /** Upper bound on requests per worker and phase, whatever the time limit. */
    private static final long MAX_CALLS_PER_WORKER = 5_000_000;

    /** One worker's request; throws when the answer is wrong or missing. */
    interface Call {
        void call(long seq) throws Exception;
    }

    record Result(String label, int workers, long ok, long errors, double seconds, long p50Nanos, long p99Nanos,
                  long maxNanos, Cpu.Usage cpu, String firstError) {
        double rate() {
            return ok / seconds;
        }
    }

    private Load() {
    }

    static Result run(String label, List<? extends Call> workers, double warmupSeconds, double measureSeconds,
                      Cpu cpu) throws InterruptedException {
        return run(label, workers, warmupSeconds, measureSeconds, cpu, 0);
    }

    /** @param ratePerSecond requests per second offered by all workers together; 0 for a closed loop */
    static Result run(String label, List<? extends Call> workers, double warmupSeconds, double measureSeconds,
                      Cpu cpu, double ratePerSecond) throws InterruptedException {
        int n = workers.size();
        long interval = ratePerSecond > 0 ? (long) (1e9 * n / ratePerSecond) : 0; // per worker
        long[][] latencies = new long[n][];
        int[] counts = new int[n];
        long[] errors = new long[n];
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        long[] phase = new long[3]; // measured phase start, end, warm-up start (nanoTime)
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 14];
                int count = 0;
                long seq = 0;
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long measureStart = phase[0];
                long end = phase[1];
                Call call = workers.get(worker);
                long due = phase[2] + interval * worker / n; // paced workers start staggered
                while (seq < MAX_CALLS_PER_WORKER) {
                    long start;
                    if (interval > 0) {
                        for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                            LockSupport.parkNanos(due - now);
                        }
                        start = due;
                        due += interval;
                    } else {
                        start = System.nanoTime();
                    }
                    if (start >= end) {
                        break;
                    }
                    boolean ok;
                    try {
                        call.call(++seq);
                        ok = true;
                    } catch (Exception e) {
                        ok = false;
                        firstError.compareAndSet(null, e.toString());
                    }
                    long stop = System.nanoTime();
                    if (start >= measureStart && stop <= end) {
                        if (ok) {
                            if (count == lat.length) {
                                lat = Arrays.copyOf(lat, lat.length * 2);
                            }
                            lat[count++] = stop - start;
                        } else {
                            errors[worker]++;
                        }
                    }
                    if (!ok) {
                        sleepQuietly(10); // a failing server must not turn the loop into a spin
                    }
                }
                latencies[worker] = lat;
                counts[worker] = count;
            }, "load-" + label + "-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        ready.await();
        long now = System.nanoTime();
        phase[2] = now;
        phase[0] = now + (long) (warmupSeconds * 1e9);
        phase[1] = phase[0] + (long) (measureSeconds * 1e9);
        go.countDown();
        long sleepMs = (phase[0] - System.nanoTime()) / 1_000_000;
        if (sleepMs > 0) {
            Thread.sleep(sleepMs);
        }
        Cpu.Mark mark = cpu.mark();
        for (Thread t : threads) {
            t.join();
        }
        Cpu.Usage usage = cpu.since(mark);
        int total = 0;
        long errorCount = 0;
        for (int w = 0; w < n; w++) {
            total += counts[w];
            errorCount += errors[w];
        }
        long[] all = new long[total];
        int at = 0;
        for (int w = 0; w < n; w++) {
            System.arraycopy(latencies[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        return new Result(label, n, total, errorCount, measureSeconds, percentile(all, 0.50), percentile(all, 0.99),
                total == 0 ? 0 : all[total - 1], usage, firstError.get());
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
