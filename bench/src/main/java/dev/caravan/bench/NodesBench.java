package dev.caravan.bench;

import java.io.PrintStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * tools/call of bench_echo at N workers: the 2026-07-28 era (stateless) against 2025-11-25 (sessions) on one node
 * directly, then 2026-07-28 through nginx to one node and to two nodes (round robin), in one run. CPU per call is
 * the node processes' (and nginx's) CPU from /proc divided by the calls served.
 */
public final class NodesBench {
    private static final PrintStream OUT = System.out;

    private final URI node1;
    private final URI node2;
    private final URI viaOne;
    private final URI viaTwo;
    private final String token;
    private final long[] nodePids;
    private final long nginxPid;
    private final int workers;
    private final double warmup;
    private final double measure;
    private final int tries;

    private NodesBench(Map<String, String> args) {
        node1 = URI.create(args.get("node1"));
        node2 = URI.create(args.get("node2"));
        viaOne = URI.create(args.get("via-one"));
        viaTwo = URI.create(args.get("via-two"));
        token = args.get("token");
        nodePids = Arrays.stream(args.get("node-pids").split(",")).mapToLong(Long::parseLong).toArray();
        nginxPid = Long.parseLong(args.get("nginx-pid"));
        workers = Integer.parseInt(args.getOrDefault("workers", "16"));
        warmup = Double.parseDouble(args.getOrDefault("warmup", "3"));
        measure = Double.parseDouble(args.getOrDefault("measure", "8"));
        tries = Math.max(1, Integer.parseInt(args.getOrDefault("tries", "3")));
    }

    public static void main(String[] argv) throws Exception {
        new NodesBench(Args.parse(argv)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        double jitWarmup = 30;
        OUT.printf("warm-up (not counted): each node directly in both eras, then through nginx to both nodes, "
                + "%.0f s each%n", jitWarmup);
        for (int n = 0; n < nodePids.length; n++) {
            URI node = n == 0 ? node1 : node2;
            Load.Result m = modern("warm", node, new Cpu(nodePids[n]), 0, jitWarmup);
            Load.Result s = session("warm", node, new Cpu(nodePids[n]), 0, jitWarmup);
            OUT.printf("  node %d: 2026 %.0f calls/s (jit %.2f), 2025 %.0f calls/s (jit %.2f)%n", n + 1, m.rate(),
                    m.cpu().jit(), s.rate(), s.cpu().jit());
        }
        Load.Result lb = modern("warm", viaTwo, new Cpu(nodePids), 0, jitWarmup);
        OUT.printf("  nginx to both: %.0f calls/s (jit %.2f)%n", lb.rate(), lb.cpu().jit());

        OUT.printf("%-8s %8s %9s %7s %7s %7s %6s %9s %9s   %s%n", "kind", "workers", "calls/s", "p50 ms", "p99 ms",
                "max ms", "errors", "server us", "client us", "CPU in cores during the measured phase");
        Cpu one = new Cpu(nodePids[0]);
        Load.Result s = Rows.print(OUT, Rows.quietest(tries, () -> session("2025", node1, one, warmup, measure)));
        Load.Result m = Rows.print(OUT, Rows.quietest(tries, () -> modern("2026", node1, one, warmup, measure)));
        Cpu oneBehind = new Cpu(nodePids[0], nginxPid);
        Load.Result n1 = Rows.print(OUT, Rows.quietest(tries, () -> modern("lb-1", viaOne, oneBehind, warmup, measure)));
        Cpu twoBehind = new Cpu(nodePids[0], nodePids[1], nginxPid);
        Load.Result n2 = Rows.print(OUT, Rows.quietest(tries, () -> modern("lb-2", viaTwo, twoBehind, warmup, measure)));
        OUT.printf("(! = other processes and steal took more than %.2f cores during the row)%n", Rows.BUSY_CORES);
        OUT.println();
        OUT.printf("eras, one node, %d workers: 2026-07-28 %.0f calls/s vs 2025-11-25 %.0f calls/s = %.2fx; CPU per call "
                        + "%.0f vs %.0f us%n", workers, m.rate(), s.rate(), m.rate() / s.rate(), Rows.perCall(m),
                Rows.perCall(s));
        OUT.printf("nodes behind nginx, 2026-07-28, %d workers: 2 nodes %.0f calls/s vs 1 node %.0f calls/s = %.2fx; "
                        + "CPU per call (nodes + nginx) %.0f vs %.0f us; split %s%n", workers, n2.rate(), n1.rate(),
                n2.rate() / n1.rate(), Rows.perCall(n2), Rows.perCall(n1), n2.cpu());
        for (Load.Result r : List.of(s, m, n1, n2)) {
            if (r.firstError() != null) {
                OUT.println("first error in " + r.label() + ": " + r.firstError());
            }
        }
    }

    private Load.Result modern(String label, URI uri, Cpu cpu, double warm, double measured) throws Exception {
        return Rows.modernEcho(label, uri, token, workers, cpu, warm, measured);
    }

    private Load.Result session(String label, URI uri, Cpu cpu, double warm, double measured) throws Exception {
        return Rows.sessionEcho(label, uri, token, workers, cpu, warm, measured);
    }
}
