package dev.caravan.admin;

import dev.caravan.catalog.Catalog;
import dev.caravan.core.CallContext;
import dev.caravan.web.ApiProblem;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a Try it call as a stream of server-sent events: {@code progress} (progress, total, message) for each
 * {@code ai-client:progress} step, then one {@code result} (the CallToolResult) or one {@code error} (a problem with
 * title, status and detail). Closing the stream cancels the call: a comment goes out every second, so a browser that
 * went away is noticed at the next write even while the route sends nothing.
 */
final class TryItStreams implements AutoCloseable {
    private static final Logger audit = LoggerFactory.getLogger("dev.caravan.audit.console");
    private static final long HEARTBEAT_MILLIS = 1000;
    /** Longer than any route's timeout: the route's own timeout ends the call first. */
    private static final long STREAM_TIMEOUT_MILLIS = TimeUnit.HOURS.toMillis(1);

    private final ExecutorService runs = Executors.newCachedThreadPool(daemon("console-try-it-"));
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            daemon("console-try-it-heartbeat-"));

    SseEmitter start(String name, Catalog.Tool tool, Map<String, Object> args) {
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT_MILLIS);
        CallContext[] holder = new CallContext[1];
        CallContext call = new CallContext(CatalogController.CONSOLE, (progress, total, message) -> {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("progress", progress);
            event.put("total", total);
            event.put("message", message);
            send(emitter, "progress", event, holder[0]);
        });
        holder[0] = call;
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> {
            try {
                emitter.send(SseEmitter.event().comment("running"));
            } catch (IOException | IllegalStateException e) {
                call.cancel();
            }
        }, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        Runnable gone = () -> {
            heartbeat.cancel(false);
            call.cancel();
        };
        emitter.onCompletion(gone);
        emitter.onTimeout(gone);
        emitter.onError(e -> gone.run());
        runs.execute(() -> run(name, tool, args, call, emitter, heartbeat));
        return emitter;
    }

    private static void run(String name, Catalog.Tool tool, Map<String, Object> args, CallContext call,
                            SseEmitter emitter, ScheduledFuture<?> heartbeat) {
        long started = System.nanoTime();
        try {
            McpSchema.CallToolResult result = tool.handler().apply(args, call);
            heartbeat.cancel(false);
            if (call.cancelled().isDone()) {
                audit.info("console ran tool {}: cancelled (stream closed)", name);
                emitter.complete();
                return;
            }
            audit.info("console ran tool {}: {} in {} ms (streamed)", name,
                    Boolean.TRUE.equals(result.isError()) ? "error" : "ok", (System.nanoTime() - started) / 1_000_000);
            send(emitter, "result", result, call);
        } catch (RuntimeException e) {
            heartbeat.cancel(false);
            boolean cancelled = call.cancelled().isDone();
            audit.warn("console ran tool {}: {} ({})", name, cancelled ? "cancelled" : "failed",
                    e.getClass().getSimpleName());
            if (!cancelled) {
                send(emitter, "error", Map.of("title", ApiProblem.INTERNAL_ERROR.title(), "status", 500,
                        "detail", "The tool failed; the server log has the detail"), call);
            }
        }
        emitter.complete();
    }

    private static void send(SseEmitter emitter, String event, Object data, CallContext call) {
        try {
            emitter.send(SseEmitter.event().name(event).data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            call.cancel(); // the browser went away
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        ClassLoader loader = TryItStreams.class.getClassLoader();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            // Not the request thread's loader (a stopped test application's one would break Camel's lookups).
            t.setContextClassLoader(loader);
            return t;
        };
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        runs.shutdownNow();
    }
}
