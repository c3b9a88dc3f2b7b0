package dev.caravan.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The load generator behind bench/upstream.sh: tools/call of one upstream tool directly against the upstream and
 * through a Caravan endpoint that re-exports it, in the same run with the same raw Streamable HTTP client
 * ({@link RawMcp}), rows interleaved per concurrency. Prints figures and the targets beside them.
 * Arguments are key=value: direct, proxied, token, pids (the upstream's and Caravan's, comma-separated),
 * direct-tool, proxied-tool, concurrency, warmup, measure, tries, jit-warmup, and optionally upstream-admin (the
 * admin API URL of the relayed upstream) with admin-token.
 * <p>
 * server-everything keeps every message of a session in memory for resumability (its InMemoryEventStore never
 * forgets), so a session that served hundreds of thousands of calls makes the Node process slower and slower. The
 * direct rows open fresh sessions; for the same footing Caravan's upstream session is reconnected (a fresh one)
 * before each relayed row, through {@code POST .../reconnect}.
 */
public final class UpstreamBench {
    private static final PrintStream OUT = System.out;
    /** The newest protocol version, which Caravan's SDK client negotiates with the upstream. */
    private static final String UPSTREAM_VERSION = "2025-11-25";
    /** Caravan's JIT compiler threads below this many cores during a warm-up round: the JIT has settled. */
    private static final double JIT_SETTLED_CORES = 0.03;

    private final Map<String, String> args;
    private final URI direct;
    private final URI proxied;
    private final String token;
    private final Cpu cpu;
    private final RawMcp.Tool directTool;
    private final RawMcp.Tool proxiedTool;
    private final int tries;
    private final URI upstreamAdmin;
    private final String adminToken;

    private UpstreamBench(Map<String, String> args) {
        this.args = args;
        this.direct = local(required("direct"));
        this.proxied = local(required("proxied"));
        this.token = required("token");
        this.cpu = new Cpu(Arrays.stream(required("pids").split(",")).mapToLong(Long::parseLong).toArray());
        // server-everything's echo answers "Echo: <message>"; Caravan passes the upstream's result through.
        this.directTool = new RawMcp.Tool(args.getOrDefault("direct-tool", "echo"), "message", "Echo: ", false);
        this.proxiedTool = new RawMcp.Tool(args.getOrDefault("proxied-tool", "up__echo"), "message", "Echo: ", false);
        this.tries = Math.max(1, Integer.parseInt(args.getOrDefault("tries", "3")));
        this.upstreamAdmin = args.containsKey("upstream-admin") ? local(args.get("upstream-admin")) : null;
        this.adminToken = args.get("admin-token");
    }

    /** A fresh upstream session for Caravan (see the class comment); waits until the upstream is online again. */
    private void freshUpstreamSession() throws Exception {
        if (upstreamAdmin == null) {
            return;
        }
        HttpClient http = HttpClient.newHttpClient();
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder()
                .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(10));
        http.send(b.copy().uri(URI.create(upstreamAdmin + "/reconnect")).POST(java.net.http.HttpRequest.BodyPublishers
                .noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            String status = http.send(b.copy().uri(upstreamAdmin).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            // Online, and the endpoint's own tool list has the tool again (the catalogue reaches endpoints a moment
            // after the status changes).
            String endpoint = http.send(b.copy().uri(upstreamAdmin.resolve("/admin/api/endpoints/"
                    + proxied.getPath().substring(proxied.getPath().lastIndexOf('/') + 1))).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (status.contains("\"state\":\"online\"") && endpoint.contains("\"" + proxiedTool.name() + "\"")) {
                return;
            }
            Load.sleepQuietly(100);
        }
        throw new IllegalStateException("the upstream did not come back online within 30 s after reconnecting");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        new UpstreamBench(args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        int[] levels = Arrays.stream(args.getOrDefault("concurrency", "1,16").split(","))
                .mapToInt(Integer::parseInt).toArray();
        double warmup = Double.parseDouble(args.getOrDefault("warmup", "3"));
        double measure = Double.parseDouble(args.getOrDefault("measure", "8"));
        double jit = Double.parseDouble(args.getOrDefault("jit-warmup", "300"));

        OUT.println();
        OUT.println("== tools/call of an upstream tool: directly vs through Caravan ==");
        OUT.println("direct  = tools/call " + directTool.name() + " on " + direct + " (server-everything, Streamable HTTP)");
        OUT.println("caravan = tools/call " + proxiedTool.name() + " on " + proxied + " (a Caravan endpoint re-exporting "
                + "that upstream; Caravan holds one SDK client session to it)");
        OUT.println("route   = tools/call bench_echo on the same endpoint: a Caravan route that returns its argument, "
                + "i.e. what serving any tools/call costs Caravan before it relays anything");
        OUT.println("direct+ = the direct row with protocol " + UPSTREAM_VERSION + ", the version Caravan's SDK client "
                + "negotiates upstream (the other rows ask for " + RawMcp.REQUESTED_VERSION + "); server-everything "
                + "then starts each answer's stream with a priming event, for resumability, and its HTTP adapter "
                + "holds such an answer for a timer tick (at least 1 ms) before sending it");
        OUT.println("client: java.net.http HTTP/1.1, raw JSON-RPC, one MCP session per worker (initialize + "
                + "notifications/initialized, then Mcp-Session-Id on each call), answers checked; closed loop, "
                + "warm-up " + (int) warmup + " s then " + (int) measure + " s measured per row");
        OUT.println("server us = CPU per call of the upstream and Caravan together; client us = the load generator's; "
                + "'server A = B + C' splits the server's cores into the upstream's (Node: one thread runs its "
                + "JavaScript) and Caravan's");

        warmUp(jit);
        if (upstreamAdmin != null) {
            OUT.println("Caravan's upstream session is reconnected before each caravan row (server-everything keeps "
                    + "every event of a session in memory; the direct rows use fresh sessions too)");
        }

        OUT.printf("%-8s %8s %9s %7s %7s %7s %6s %9s %9s   %s%n", "kind", "sessions", "calls/s", "p50 ms", "p99 ms",
                "max ms", "errors", "server us", "client us", "CPU in cores during the measured phase");
        List<Load.Result[]> pairs = new ArrayList<>();
        for (int c : levels) {
            Load.Result d = Rows.print(OUT, Rows.quietest(tries, () -> row("direct", direct, directTool, c, warmup, measure)));
            Load.Result p = Rows.print(OUT, Rows.quietest(tries, () -> {
                freshUpstreamSession();
                return row("caravan", proxied, proxiedTool, c, warmup, measure);
            }));
            Load.Result r = Rows.print(OUT, Rows.quietest(tries, () -> row("route", proxied, RawMcp.BENCH_ECHO, c, warmup, measure)));
            Load.Result n = Rows.print(OUT, Rows.quietest(tries,
                    () -> row("direct+", direct, directTool, c, warmup, measure, UPSTREAM_VERSION)));
            pairs.add(new Load.Result[]{d, p, r, n});
        }
        OUT.printf("(! = other processes and steal took more than %.2f cores during the row, even after %d tries)%n",
                Rows.BUSY_CORES, tries);
        OUT.println();
        for (Load.Result[] pair : pairs) {
            Load.Result d = pair[0];
            Load.Result p = pair[1];
            Load.Result r = pair[2];
            double added = (p.p50Nanos() - d.p50Nanos()) / 1e6;
            double ratio = 100.0 * p.rate() / d.rate();
            boolean at16 = d.workers() == 16;
            OUT.printf("%2d sessions: added p50 %.2f ms (%.2f -> %.2f), p99 %.2f -> %.2f ms, throughput %.0f%% of direct "
                            + "(%.0f vs %.0f calls/s)%s%n", d.workers(), added, d.p50Nanos() / 1e6, p.p50Nanos() / 1e6,
                    d.p99Nanos() / 1e6, p.p99Nanos() / 1e6, ratio, p.rate(), d.rate(),
                    at16 ? "  [targets: throughput >= 70% " + verdict(ratio >= 70 && p.errors() == 0)
                            + ", added p50 <= 2 ms in this closed loop " + verdict(added <= 2) + "; paced below]" : "");
            Load.Result n = pair[3];
            OUT.printf("%12s against direct+ (%s): added p50 %.2f ms, throughput %.0f%% (%.0f calls/s direct+)%n", "",
                    UPSTREAM_VERSION, (p.p50Nanos() - n.p50Nanos()) / 1e6, 100.0 * p.rate() / n.rate(), n.rate());
            OUT.printf("%12s CPU per call: direct %.0f us (upstream + idle Caravan); through Caravan %.0f us, of which "
                            + "about %.0f us serving the MCP request (route row) and %.0f us relaying it%n", "",
                    Rows.perCall(d), Rows.perCall(p), Rows.perCall(r), Rows.perCall(p) - Rows.perCall(r) - Rows.perCall(d));
        }
        pacedRows(pairs, warmup, measure);
        for (Load.Result[] pair : pairs) {
            for (Load.Result r : pair) {
                if (r.firstError() != null) {
                    OUT.println("first error in " + r.label() + "/" + r.workers() + ": " + r.firstError());
                }
            }
        }
    }

    /**
     * Warms both servers up until Caravan's JIT compiler has finished with the relay path, at most {@code cap}
     * seconds. The path is a lot of code (Tomcat, Spring Security, the SDK's server and client, Reactor,
     * java.net.http), and on two cores HotSpot's compiler threads need minutes for it; a row measured before that
     * measures the compiler too (it took half a core). Each round repeats the measured sequence (direct, a fresh
     * upstream session, caravan, route): reconnecting runs code the calls do not, and the deoptimisations it causes
     * would otherwise recompile the relay path during the first measured row.
     */
    private void warmUp(double cap) throws Exception {
        OUT.print("warm-up, 16 workers, rounds of direct 5 s / caravan 5 s / route 2 s until Caravan's JIT compiler "
                + "idles (< " + JIT_SETTLED_CORES + " cores in a round), not counted:");
        OUT.flush();
        long start = System.nanoTime();
        boolean settled = false;
        for (int round = 1; !settled && System.nanoTime() - start < cap * 1e9; round++) {
            Load.Result d = row("direct", direct, directTool, 16, 0, 5);
            freshUpstreamSession();
            Load.Result p = row("caravan", proxied, proxiedTool, 16, 0, 5);
            Load.Result r = row("route", proxied, RawMcp.BENCH_ECHO, 16, 0, 2);
            double jit = Math.max(p.cpu().jit(), r.cpu().jit());
            OUT.printf(" %.0f/%.0f (jit %.2f)", d.rate(), p.rate(), jit);
            OUT.flush();
            settled = round >= 2 && jit < JIT_SETTLED_CORES;
        }
        OUT.printf(" calls/s direct/caravan%n%s after %.0f s%n", settled ? "JIT settled"
                : "JIT still compiling at the cap (jit-warmup): the rows below measure the compiler too",
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * Closed-loop p50s at 16 sessions are mostly queueing: 16 calls always in flight, so p50 follows throughput. The
     * latency a relay adds to each call shows at a load both paths carry with room to spare: the same 16 sessions
     * paced to half of what the relayed row sustained. Against direct@ that includes what the upstream spends on
     * the newer protocol Caravan speaks to it; against direct+@ the upstream does the same work in both rows.
     */
    private void pacedRows(List<Load.Result[]> pairs, double warmup, double measure) throws Exception {
        Load.Result[] at16 = pairs.stream().filter(p -> p[0].workers() == 16).findFirst().orElse(null);
        if (at16 == null || at16[1].rate() < 32) {
            return;
        }
        double rate = Math.floor(at16[1].rate() / 2);
        OUT.println();
        OUT.printf("16 sessions paced to %.0f calls/s in all (half the relayed maximum; latency counted from when "
                + "each call was due):%n", rate);
        Load.Result d = Rows.print(OUT, Rows.quietest(tries,
                () -> row("direct@", direct, directTool, 16, warmup, measure, RawMcp.REQUESTED_VERSION, rate)));
        Load.Result p = Rows.print(OUT, Rows.quietest(tries, () -> {
            freshUpstreamSession();
            return row("caravan@", proxied, proxiedTool, 16, warmup, measure, RawMcp.REQUESTED_VERSION, rate);
        }));
        Load.Result n = Rows.print(OUT, Rows.quietest(tries,
                () -> row("direct+@", direct, directTool, 16, warmup, measure, UPSTREAM_VERSION, rate)));
        double added = (p.p50Nanos() - d.p50Nanos()) / 1e6;
        double addedSameWork = (p.p50Nanos() - n.p50Nanos()) / 1e6;
        OUT.printf("paced: added p50 %.2f ms (%.2f -> %.2f), p99 %.2f -> %.2f ms, %.0f and %.0f calls/s served  "
                        + "[target: added p50 <= 2 ms %s]%n", added, d.p50Nanos() / 1e6, p.p50Nanos() / 1e6,
                d.p99Nanos() / 1e6, p.p99Nanos() / 1e6, d.rate(), p.rate(), verdict(added <= 2));
        OUT.printf("%7s against direct+@ (%s, the upstream doing the same work as for Caravan): added p50 %.2f ms "
                        + "(%.2f -> %.2f), p99 %.2f -> %.2f ms  [target: added p50 <= 2 ms %s]%n", "",
                UPSTREAM_VERSION, addedSameWork, n.p50Nanos() / 1e6, p.p50Nanos() / 1e6, n.p99Nanos() / 1e6,
                p.p99Nanos() / 1e6, verdict(addedSameWork <= 2));
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }

    private Load.Result row(String label, URI uri, RawMcp.Tool tool, int workers, double warmup, double measure)
            throws Exception {
        return row(label, uri, tool, workers, warmup, measure, RawMcp.REQUESTED_VERSION);
    }

    private Load.Result row(String label, URI uri, RawMcp.Tool tool, int workers, double warmup, double measure,
                            String version) throws Exception {
        return row(label, uri, tool, workers, warmup, measure, version, 0);
    }

    private Load.Result row(String label, URI uri, RawMcp.Tool tool, int workers, double warmup, double measure,
                            String version, double rate) throws Exception {
        List<HttpClient> clients = Rows.clients(workers);
        List<RawMcp> sessions = new ArrayList<>();
        try {
            for (int w = 0; w < workers; w++) {
                sessions.add(RawMcp.open(clients.get(w / Rows.WORKERS_PER_CLIENT), uri,
                        uri == direct ? null : token, "w" + w, tool, version));
            }
            return Load.run(label, sessions, warmup, measure, cpu, rate);
        } finally {
            sessions.forEach(RawMcp::close);
        }
    }

    private String required(String key) {
        String v = args.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return v;
    }

    private static URI local(String url) {
        URI uri = URI.create(url);
        if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
            throw new IllegalArgumentException("the benchmark only sends to this machine, not " + uri.getHost());
        }
        return uri;
    }
}
