package dev.caravan.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * tools/call bench_echo against several Caravan builds started side by side (bench/compare.sh), in both eras. The
 * rows alternate (each era, each build, then the next round), so that a machine other processes keep busy slows
 * every build alike; prints every row, then the medians per build and era.
 */
public final class CompareBuilds {
    private CompareBuilds() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        String[] names = args.get("names").split(",");
        String[] urls = args.get("urls").split(",");
        String[] tokens = args.get("tokens").split(",");
        String[] pids = args.get("pids").split(",");
        int workers = Integer.parseInt(args.getOrDefault("workers", "16"));
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "5"));
        double measure = Double.parseDouble(args.getOrDefault("measure", "8"));
        double warm = Double.parseDouble(args.getOrDefault("warm", "90"));
        String[] eras = args.getOrDefault("eras", "2025,2026").split(",");

        System.out.printf("warm-up (not counted): %.0f s per build and era%n", warm);
        for (int b = 0; b < names.length; b++) {
            for (String era : eras) {
                Load.Result w = row(era, "warm", URI.create(urls[b]), tokens[b], new Cpu(Long.parseLong(pids[b])),
                        workers, 0, warm);
                System.out.printf("  %s %s: %.0f calls/s (jit %.2f)%n", names[b], era, w.rate(), w.cpu().jit());
            }
        }
        System.out.printf("%-12s %8s %9s %7s %7s %7s %6s %9s %9s   %s%n", "build-era", "workers", "calls/s", "p50 ms",
                "p99 ms", "max ms", "errors", "server us", "client us", "CPU in cores during the measured phase");
        Map<String, List<Load.Result>> rows = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String era : eras) {
                for (int b = 0; b < names.length; b++) {
                    String label = names[b] + "-" + era;
                    Load.Result result = Rows.print(System.out, row(era, label, URI.create(urls[b]), tokens[b],
                            new Cpu(Long.parseLong(pids[b])), workers, 3, measure));
                    if (result.firstError() != null) {
                        System.out.println("  first error: " + result.firstError());
                    }
                    rows.computeIfAbsent(label, k -> new ArrayList<>()).add(result);
                }
            }
        }
        System.out.printf("medians of %d rounds:%n", rounds);
        rows.forEach((label, list) -> {
            double[] rate = list.stream().mapToDouble(Load.Result::rate).sorted().toArray();
            double[] us = list.stream().mapToDouble(Rows::perCall).sorted().toArray();
            System.out.printf("%-12s %6.0f calls/s  %4.0f us server CPU per call   (calls/s %s; us %s)%n", label,
                    rate[rate.length / 2], us[us.length / 2], Arrays.toString(Arrays.stream(rate).mapToLong(Math::round)
                            .toArray()), Arrays.toString(Arrays.stream(us).mapToLong(Math::round).toArray()));
        });
        System.exit(0);
    }

    private static Load.Result row(String era, String label, URI uri, String token, Cpu cpu, int workers, double warm,
                                   double measure) throws Exception {
        return "2026".equals(era) ? Rows.modernEcho(label, uri, token, workers, cpu, warm, measure)
                : Rows.sessionEcho(label, uri, token, workers, cpu, warm, measure);
    }
}
