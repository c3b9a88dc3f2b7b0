package dev.caravan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The server's live heap: a forced full GC ({@code jcmd PID GC.run}), then the used figure of {@code GC.heap_info}. */
final class Heap {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final long pid;

    Heap(long pid) {
        this.pid = pid;
    }

    /** Used heap in bytes after two full collections (the second catches what the first only made unreachable). */
    long usedAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IOException("no 'used' figure in GC.heap_info output:\n" + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    String describe() throws IOException, InterruptedException {
        String info = jcmd("GC.heap_info");
        return info.lines().filter(l -> l.contains("heap") && l.contains("total")).findFirst().orElse("?").trim();
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " did not finish within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + out);
        }
        return out;
    }
}
