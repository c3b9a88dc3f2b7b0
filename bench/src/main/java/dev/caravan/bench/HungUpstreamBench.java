package dev.caravan.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Another tool and the admin API while many calls wait on an upstream that does not answer (server-everything's
 * long-running operation): the latency of bench_echo, of the admin API and of health, first with nothing else in
 * flight, then with the hung calls in flight; and the application's threads (Tomcat's, those inside the MCP
 * dispatcher, the dispatcher's call pool) from a thread dump while they wait. See bench/hung-upstream.sh.
 */
public final class HungUpstreamBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HungUpstreamBench() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        URI mcp = URI.create(args.get("url"));
        String token = args.get("token");
        URI admin = URI.create(args.get("admin"));
        URI health = URI.create(args.get("health"));
        String adminToken = args.get("admin-token");
        String pid = args.get("pid");
        int hung = Integer.parseInt(args.getOrDefault("hung", "500"));
        int hungSeconds = Integer.parseInt(args.getOrDefault("hung-seconds", "60"));
        int measure = Integer.parseInt(args.getOrDefault("measure", "15"));

        RawMcp other = RawMcp.open(HTTP, mcp, token, "other");
        RawMcp hungSession = RawMcp.open(HTTP, mcp, token, "hung");
        measureRound("idle", other, admin, health, adminToken, 3);
        System.out.println(threads(pid, "idle"));
        measureRound("idle", other, admin, health, adminToken, measure).print();

        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < hung; i++) {
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (100000 + i) + ",\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"hung__trigger-long-running-operation\",\"arguments\":{\"duration\":" + hungSeconds
                    + ",\"steps\":1}}}";
            HttpRequest request = HttpRequest.newBuilder(mcp).timeout(Duration.ofSeconds(hungSeconds + 60))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header("Mcp-Session-Id", hungSession.sessionId)
                    .header("MCP-Protocol-Version", hungSession.protocolVersion)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            calls.add(sendRetrying(request, 50));
        }
        Thread.sleep(5000); // all sent and handed off (a 503 is retried after 200 ms)
        long done = calls.stream().filter(CompletableFuture::isDone).count();
        System.out.println(threads(pid, hung + " hung calls sent (" + done + " answered already)"));
        measureRound(hung + " hung", other, admin, health, adminToken, measure).print();
        System.out.println(threads(pid, "after measuring"));

        int ok = 0;
        int failed = 0;
        for (CompletableFuture<HttpResponse<String>> f : calls) {
            try {
                HttpResponse<String> r = f.get(hungSeconds + 90, TimeUnit.SECONDS);
                if (r.statusCode() == 200 && r.body().contains("Long running operation completed")) {
                    ok++;
                } else {
                    failed++;
                }
            } catch (Exception e) {
                failed++;
            }
        }
        System.out.printf("the %d hung calls: %d answered by the upstream in the end, %d failed%n", hung, ok, failed);
        other.close();
        hungSession.close();
    }

    private static CompletableFuture<HttpResponse<String>> sendRetrying(HttpRequest request, int triesLeft) {
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(r ->
                r.statusCode() == 503 && triesLeft > 0
                        ? CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                        .thenCompose(x -> sendRetrying(request, triesLeft - 1))
                        : CompletableFuture.completedFuture(r));
    }

    private record Round(String label, long[] tool, long[] admin, long[] health, int errors) {
        void print() {
            System.out.printf("%-9s tools/call bench_echo %s | admin API %s | health %s | errors %d%n", label,
                    figures(tool), figures(admin), figures(health), errors);
        }

        private static String figures(long[] micros) {
            long[] s = micros.clone();
            Arrays.sort(s);
            if (s.length == 0) {
                return "no samples";
            }
            return String.format("n=%d median %.1f ms p99 %.1f ms max %.1f ms", s.length, s[s.length / 2] / 1000.0,
                    s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1000.0, s[s.length - 1] / 1000.0);
        }
    }

    /** For {@code seconds}: one tools/call, one admin GET, one health GET, in turn, back to back. */
    private static Round measureRound(String label, RawMcp other, URI admin, URI health, String adminToken, int seconds)
            throws InterruptedException {
        List<Long> tool = new ArrayList<>();
        List<Long> adminTimes = new ArrayList<>();
        List<Long> healthTimes = new ArrayList<>();
        int errors = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long seq = 1;
        while (System.nanoTime() < end) {
            try {
                long t = System.nanoTime();
                other.call(seq++);
                tool.add((System.nanoTime() - t) / 1000);
                t = System.nanoTime();
                int a = HTTP.send(HttpRequest.newBuilder(admin).header("Authorization", "Bearer " + adminToken)
                        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                adminTimes.add((System.nanoTime() - t) / 1000);
                t = System.nanoTime();
                int h = HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(20)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                healthTimes.add((System.nanoTime() - t) / 1000);
                if (a != 200 || h != 200) {
                    errors++;
                }
            } catch (IOException e) {
                errors++;
            }
        }
        return new Round(label, tool.stream().mapToLong(Long::longValue).toArray(),
                adminTimes.stream().mapToLong(Long::longValue).toArray(),
                healthTimes.stream().mapToLong(Long::longValue).toArray(), errors);
    }

    /** Counts from a thread dump of the application (jcmd PID Thread.print). */
    private static String threads(String pid, String when) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", pid, "Thread.print").redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        int tomcat = 0;
        int tomcatInDispatcher = 0;
        int pool = 0;
        int poolOnUpstream = 0;
        int all = 0;
        for (String thread : dump.split("\n\n")) {
            if (!thread.startsWith("\"")) {
                continue;
            }
            all++;
            String name = thread.substring(1, thread.indexOf('"', 1));
            if (name.startsWith("http-nio-") && name.contains("-exec-")) {
                tomcat++;
                tomcatInDispatcher += thread.contains("McpDispatcherServlet") ? 1 : 0;
            } else if (name.startsWith("mcp-call-")) {
                pool++;
                poolOnUpstream += thread.contains("UpstreamConnection") ? 1 : 0;
            }
        }
        return String.format("threads (%s): %d in all; Tomcat request threads %d, of them inside the MCP dispatcher %d;"
                + " dispatcher call pool %d, of them waiting on an upstream %d", when, all, tomcat, tomcatInDispatcher,
                pool, poolOnUpstream);
    }
}
