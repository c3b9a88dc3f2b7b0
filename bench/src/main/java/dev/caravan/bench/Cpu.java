package dev.caravan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where the machine's CPU went during a phase, from /proc (Linux): the server process, this load generator, and
 * everything else. The "other" share tells whether a figure was taken on a quiet machine; the "jit" share (the
 * server JVM's compiler threads, part of "server") whether the server was still compiling, i.e. not yet warm.
 */
final class Cpu {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ; 100 on every mainstream Linux build

    /** The processes under test (one server, or e.g. Caravan and its upstream), counted together as "server". */
    private final long[] serverPids;

    record Mark(long nanos, long busy, long steal, long[] servers, long jit, long self) {
    }

    /**
     * CPU used, in cores (1.0 = one core busy for the whole phase); steal is time the hypervisor gave this
     * virtual machine's cores to someone else. {@code servers} is per process, in the order the pids were given,
     * and {@link #server()} their sum: with an upstream and Caravan it tells which one bounds a row (Node runs on one
     * thread).
     */
    record Usage(double[] servers, double jit, double client, double other, double steal) {
        double server() {
            return Arrays.stream(servers).sum();
        }

        @Override
        public String toString() {
            String split = servers.length < 2 ? "" : Arrays.stream(servers)
                    .mapToObj(s -> String.format("%.2f", s)).collect(Collectors.joining(" + ", " = ", ""));
            return String.format("server %.2f%s (jit %.2f), client %.2f, other %.2f, steal %.2f", server(), split, jit,
                    client, other, steal);
        }
    }

    Cpu(long... serverPids) {
        this.serverPids = serverPids.clone();
    }

    Mark mark() {
        long[] machine = machine();
        long[] servers = new long[serverPids.length];
        long jit = 0;
        for (int i = 0; i < serverPids.length; i++) {
            servers[i] = process(serverPids[i]);
            jit += compilerThreads(serverPids[i]);
        }
        return new Mark(System.nanoTime(), machine[0], machine[1], servers, jit,
                process(ProcessHandle.current().pid()));
    }

    Usage since(Mark start) {
        Mark end = mark();
        double seconds = (end.nanos() - start.nanos()) / 1e9;
        if (seconds <= 0 || start.busy() < 0 || end.busy() < 0) {
            return new Usage(new double[]{Double.NaN}, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] servers = new double[serverPids.length];
        for (int i = 0; i < servers.length; i++) {
            servers[i] = (end.servers()[i] - start.servers()[i]) / TICKS_PER_SECOND / seconds;
        }
        double jit = (end.jit() - start.jit()) / TICKS_PER_SECOND / seconds;
        double self = (end.self() - start.self()) / TICKS_PER_SECOND / seconds;
        double busy = (end.busy() - start.busy()) / TICKS_PER_SECOND / seconds;
        double steal = (end.steal() - start.steal()) / TICKS_PER_SECOND / seconds;
        double server = Arrays.stream(servers).sum();
        return new Usage(servers, jit, self, Math.max(0, busy - server - self), steal);
    }

    /**
     * Ticks of the whole machine from the first /proc/stat line (user nice system idle iowait irq softirq steal):
     * busy (user + nice + system + irq + softirq) and steal.
     */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            return new long[]{busy, f.length > 8 ? Long.parseLong(f[8]) : 0};
        } catch (IOException | RuntimeException e) {
            return new long[]{-1, -1};
        }
    }

    /** utime + stime of a process, in ticks. */
    static long process(long pid) {
        return ticks(Path.of("/proc/" + pid + "/stat"));
    }

    /**
     * utime + stime of a HotSpot JVM's JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThread1", ...; the
     * kernel keeps the first 15 characters of a thread's name), in ticks; 0 for a process that has none.
     */
    static long compilerThreads(long pid) {
        long ticks = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path thread : threads) {
                String name = Files.readString(thread.resolve("comm"), StandardCharsets.UTF_8).strip();
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    ticks += ticks(thread.resolve("stat"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process or a thread ended: count what was read.
        }
        return ticks;
    }

    private static long ticks(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the full line
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
