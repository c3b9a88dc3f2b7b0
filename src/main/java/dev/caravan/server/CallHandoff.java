package dev.caravan.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Takes an MCP POST off Tomcat's request thread for as long as the SDK holds it.
 *
 * <p>Why a thread of our own and not a callback: each SDK 2.2.0 servlet transport (the 2025 Streamable HTTP and
 * legacy SSE {@code doPost}, and the 2026-07-28 {@code HttpServletMcpTransport.doPost}) calls {@code Mono.block()}
 * or {@code Flux.blockLast()} until the answer is written, whatever server API (sync or async) is behind it, so
 * the thread that enters the SDK waits out the whole call; the async server API would only move the wait. What
 * Caravan can choose is which thread: the dispatcher starts the servlet's async mode, gives the request thread back
 * to Tomcat at once, and enters the SDK here, on a bounded pool of its own ({@code caravan.mcp.max-calls-in-flight}).
 * Tomcat's threads then only read headers and bodies (bounded by the body-read deadline and admission), so the
 * admin API, the file API and health never wait behind a hung upstream or a slow route.
 */
final class CallHandoff implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallHandoff.class);

    /** What runs on the pool: the SDK's transport, given the request as it may use it (see {@link HandedOffRequest}). */
    interface Work {
        void serve(HandedOffRequest request, HttpServletResponse response) throws ServletException, IOException;
    }

    private final int limit;
    private final Semaphore slots;
    private final ThreadPoolExecutor pool;

    CallHandoff(int limit) {
        this.limit = Math.max(1, limit);
        this.slots = new Semaphore(this.limit);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "mcp-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // A cached pool (idle threads reused, gone after 30 s) bounded by the slots: a taken slot never queues,
        // and a quiet server keeps no threads.
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads);
    }

    int limit() {
        return limit;
    }

    /** Calls on the pool now (a figure for tests and metrics). */
    int inFlight() {
        return limit - slots.availablePermits();
    }

    /**
     * Starts async mode and runs {@code work} on the pool; false (nothing started) when every slot is taken.
     * {@code whenServed} runs on the pool after the SDK returns, with the request (to see whether it keeps a stream
     * open); {@code held} is handed over and released there.
     */
    boolean start(HttpServletRequest request, HttpServletResponse response, Work work,
                  Consumer<HandedOffRequest> whenServed, Held held) {
        if (!slots.tryAcquire()) {
            return false;
        }
        AsyncContext async;
        try {
            async = request.startAsync();
            // The call's own timeouts (route, upstream, client request) bound it; the container's 30 s would cut
            // off a long call and a held-open stream.
            async.setTimeout(0);
        } catch (IllegalStateException e) {
            slots.release();
            throw e;
        }
        HandedOffRequest handed = new HandedOffRequest(request, response, async);
        held.handOff();
        try {
            pool.execute(() -> run(handed, response, work, whenServed, held));
        } catch (RuntimeException e) {
            // Only when the pool is shut down (the node is stopping).
            slots.release();
            held.done();
            async.complete();
            throw e;
        }
        return true;
    }

    private void run(HandedOffRequest request, HttpServletResponse response, Work work,
                     Consumer<HandedOffRequest> whenServed, Held held) {
        try {
            work.serve(request, response);
            if (request.keptOpen()) {
                whenServed.accept(request);
            }
        } catch (Exception e) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            log.warn("MCP request failed in the SDK transport [ref {}]", ref, e);
            failed(response, ref);
        } finally {
            slots.release();
            held.done();
            if (!request.keptOpen()) {
                request.completeOurs();
            }
        }
    }

    /** What Tomcat's error page would have said, in the JSON-RPC shape the dispatcher uses, when nothing was sent. */
    private static void failed(HttpServletResponse response, String ref) {
        if (response.isCommitted()) {
            return;
        }
        try {
            response.resetBuffer();
            response.setStatus(500);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error (ref "
                    + ref + "); the details are in the server log\"}}");
        } catch (IOException | IllegalStateException e) {
            log.debug("Could not answer the failed request [ref {}]: {}", ref, e.getMessage());
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
