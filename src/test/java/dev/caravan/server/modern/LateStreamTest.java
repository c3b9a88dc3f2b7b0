package dev.caravan.server.modern;

import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.server.McpAsyncNotifier;
import io.modelcontextprotocol.modern.server.McpAsyncResponse;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LateStreamTest {
    private static final Duration FOREVER = Duration.ofHours(1);

    @Test
    void aQuietCallIsOneResult() {
        LateStream answer = new LateStream();
        McpAsyncResponse<String> response = answer.respond(Mono.just("done"), FOREVER, () -> { }).block();
        assertThat(response).isInstanceOf(McpAsyncResponse.Result.class);
        assertThat(((McpAsyncResponse.Result<String>) response).result()).isEqualTo("done");
    }

    @Test
    void anErrorBeforeAnyNotificationIsTheAnswerItself() {
        LateStream answer = new LateStream();
        Mono<String> refused = Mono.error(McpException.invalidParams("no"));
        assertThatThrownBy(() -> answer.respond(refused, FOREVER, () -> { }).block())
                .isInstanceOf(McpException.class).hasMessageContaining("no");
    }

    @Test
    void aNotificationOpensTheStreamAndReachesIt() {
        LateStream answer = new LateStream();
        AtomicInteger runs = new AtomicInteger();
        Mono<String> work = Mono.fromCallable(() -> {
            runs.incrementAndGet();
            answer.progress(1, 2.0, "half").block();
            return "done";
        }).subscribeOn(Schedulers.boundedElastic());
        McpAsyncResponse<String> response = answer.respond(work, FOREVER, () -> { }).block();
        assertThat(response).isInstanceOf(McpAsyncResponse.Streaming.class);
        List<String> sent = new ArrayList<>();
        String outcome = ((McpAsyncResponse.Streaming<String>) response).body().run(recorder(sent)).block();
        assertThat(outcome).isEqualTo("done");
        assertThat(sent).containsExactly("progress 1.0/2.0 half");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aLongCallStreamsAndItsCancellationStopsTheWork() {
        LateStream answer = new LateStream();
        AtomicBoolean stopped = new AtomicBoolean();
        Sinks.One<String> never = Sinks.one();
        McpAsyncResponse<String> response = answer.respond(never.asMono(), Duration.ZERO, () -> stopped.set(true)).block();
        assertThat(response).isInstanceOf(McpAsyncResponse.Streaming.class);
        ((McpAsyncResponse.Streaming<String>) response).body().run(recorder(new ArrayList<>())).subscribe().dispose();
        assertThat(stopped).isTrue();
    }

    private static McpAsyncNotifier recorder(List<String> sent) {
        return new McpAsyncNotifier() {
            @Override
            public Mono<Void> progress(double progress, Double total, String message) {
                return Mono.fromRunnable(() -> sent.add("progress " + progress + "/" + total + " " + message));
            }

            @Override
            public Mono<Void> notify(String method, Object params) {
                return Mono.fromRunnable(() -> sent.add(method));
            }
        };
    }
}
