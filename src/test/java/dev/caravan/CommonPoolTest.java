package dev.caravan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** In a fresh JVM that sees 1 or 2 CPUs, the common pool gets 2 threads (not 1, which means a thread per task). */
class CommonPoolTest {

    static String parallelism(int cpus, String... extra) throws IOException, InterruptedException {
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(launcher,
                "-XX:ActiveProcessorCount=" + cpus, "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(extra));
        command.add(CommonPool.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    void smallMachinesGetTwoCommonPoolThreadsUnlessConfigured() throws Exception {
        assertThat(parallelism(2)).isEqualTo("2");
        assertThat(parallelism(1)).isEqualTo("2");
        assertThat(parallelism(4)).isEqualTo("3");
        assertThat(parallelism(2, "-D" + CommonPool.PARALLELISM + "=1")).isEqualTo("1");
    }
}
