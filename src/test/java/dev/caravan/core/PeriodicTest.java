package dev.caravan.core;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeriodicTest {
    static final Duration TICK = Duration.ofMillis(20);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(Periodic.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(logged);
    }

    @Test
    void aFailingRunIsLoggedAndTheNextRunStillHappens() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(3);
        List<String> threads = new CopyOnWriteArrayList<>();
        try (Periodic task = Periodic.every("flaky", TICK, () -> {
            threads.add(Thread.currentThread().getName());
            third.countDown();
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("database away");
            }
        }).start()) {
            assertThat(third.await(5, TimeUnit.SECONDS)).as("runs after the failure").isTrue();
        }
        assertThat(threads).allMatch("caravan-flaky"::equals);
        assertThat(logged.list).anySatisfy(e -> {
            assertThat(e.getLevel().toString()).isEqualTo("WARN");
            assertThat(e.getFormattedMessage()).contains("flaky").contains("will run again");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("database away");
        });
    }

    @Test
    void anErrorThatIsNotAnExceptionDoesNotEndTheScheduleEither() throws Exception {
        CountDownLatch second = new CountDownLatch(2);
        try (Periodic task = Periodic.every("asserting", TICK, () -> {
            second.countDown();
            throw new AssertionError("broken invariant");
        }).start()) {
            assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void closeStopsIt() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch first = new CountDownLatch(1);
        Periodic task = Periodic.every("stopping", TICK, () -> {
            runs.incrementAndGet();
            first.countDown();
        }).start();
        assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
        task.close();
        assertThat(task.isRunning()).isFalse();
        int atClose = runs.get();
        Thread.sleep(TICK.toMillis() * 10);
        assertThat(runs.get()).isEqualTo(atClose);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("caravan-stopping"));
        task.close(); // twice is fine
    }

    @Test
    void theInitialDelayComesFirst() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (Periodic task = Periodic.every("later", Duration.ofMinutes(1), TICK, Periodic.Guard.EVERY_NODE,
                runs::incrementAndGet).start()) {
            Thread.sleep(TICK.toMillis() * 10);
            assertThat(runs.get()).isZero();
        }
    }

    @Test
    void theGuardDecidesWhetherThisNodeRuns() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch twice = new CountDownLatch(2);
        Periodic.Guard elsewhere = (name, work) -> {
            asked.add(name);
            twice.countDown();
        };
        try (Periodic task = Periodic.every("purge", TICK, TICK, elsewhere, runs::incrementAndGet).start()) {
            assertThat(twice.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(asked).allMatch("purge"::equals);
        assertThat(runs.get()).isZero();
    }

    @Test
    void requestsInABurstMakeOneRunAndNoneAfterClose() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Periodic sync = Periodic.onRequest("sync", Duration.ofMillis(100), runs::incrementAndGet);
        sync.request(); // not started: ignored
        sync.start();
        for (int i = 0; i < 20; i++) {
            sync.request();
        }
        Thread.sleep(400);
        assertThat(runs.get()).isEqualTo(1);
        sync.request();
        Thread.sleep(400);
        assertThat(runs.get()).isEqualTo(2);
        sync.close();
        sync.request();
        Thread.sleep(300);
        assertThat(runs.get()).isEqualTo(2);
    }

    @Test
    void aZeroIntervalIsRefusedWithTheTaskName() {
        assertThatThrownBy(() -> Periodic.every("spin", Duration.ZERO, () -> {
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spin").hasMessageContaining("positive");
    }
}
