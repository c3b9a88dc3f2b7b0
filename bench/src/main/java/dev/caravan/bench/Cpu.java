package dev.caravan.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the machine's CPU went during a phase, from /proc (Linux): the server process, this load generator, and
 * everything else. The "other" share tells whether a figure was taken on a quiet machine.
 */
final class Cpu {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ; 100 on every mainstream Linux build

    /** The processes under test (one server, or e.g. Caravan and its upstream), counted together as "server". */
    private final long[] serverPids;

    record Mark(long nanos, long busy, long steal, long server, long self) {
    }

    /**
     * CPU used, in cores (1.0 = one core busy for the whole phase); steal is time the hypervisor gave this
     * virtual machine's cores to someone else.
     */
    record Usage(double server, double client, double other, double steal) {
        @Override
        public String toString() {
            return String.format("server %.2f, client %.2f, other %.2f, steal %.2f", server, client, other, steal);
        }
    }

    Cpu(long... serverPids) {
        this.serverPids = serverPids.clone();
    }

    Mark mark() {
        long[] machine = machine();
        long server = 0;
        for (long pid : serverPids) {
            server += process(pid);
        }
        return new Mark(System.nanoTime(), machine[0], machine[1], server,
                process(ProcessHandle.current().pid()));
    }

    Usage since(Mark start) {
        Mark end = mark();
        double seconds = (end.nanos() - start.nanos()) / 1e9;
        if (seconds <= 0 || start.busy() < 0 || end.busy() < 0) {
            return new Usage(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double server = (end.server() - start.server()) / TICKS_PER_SECOND / seconds;
        double self = (end.self() - start.self()) / TICKS_PER_SECOND / seconds;
        double busy = (end.busy() - start.busy()) / TICKS_PER_SECOND / seconds;
        double steal = (end.steal() - start.steal()) / TICKS_PER_SECOND / seconds;
        return new Usage(server, self, Math.max(0, busy - server - self), steal);
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
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the full line
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
