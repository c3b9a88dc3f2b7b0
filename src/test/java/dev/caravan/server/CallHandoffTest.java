package dev.caravan.server;

import jakarta.servlet.AsyncContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-off of an MCP POST to the call pool: its cap, who completes the exchange, what a failure answers. */
class CallHandoffTest {
    private final CallHandoff handoff = new CallHandoff(1);

    @AfterEach
    void close() {
        handoff.close();
    }

    private static MockHttpServletRequest request() {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/mcp/docs");
        r.setAsyncSupported(true);
        return r;
    }

    private static void awaitCompleted(MockHttpServletRequest r) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.isAsyncStarted() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(r.isAsyncStarted()).as("exchange completed").isFalse();
    }

    @Test
    void overTheCapNothingStartsAndTheSlotComesBackWhenTheCallEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean releasedEarly = new AtomicBoolean();
        Held held = new Held();
        AtomicBoolean heldReleased = new AtomicBoolean();
        held.untilDone(() -> heldReleased.set(true));
        MockHttpServletRequest first = request();
        assertThat(handoff.start(first, new MockHttpServletResponse(), (req, resp) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            resp.setStatus(200);
        }, r -> { }, held)).isTrue();
        // The request thread returns at once; what the request holds stays held until the call ends.
        held.threadReturns();
        releasedEarly.set(heldReleased.get());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(releasedEarly).isFalse();
        assertThat(handoff.inFlight()).isEqualTo(1);

        MockHttpServletRequest second = request();
        assertThat(handoff.start(second, new MockHttpServletResponse(), (req, resp) -> { }, r -> { }, new Held()))
                .isFalse();
        assertThat(second.isAsyncStarted()).as("nothing started for the refused one").isFalse();

        release.countDown();
        awaitCompleted(first);
        assertThat(heldReleased).isTrue();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handoff.inFlight() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(handoff.start(request(), new MockHttpServletResponse(), (req, resp) -> { }, r -> { }, new Held()))
                .isTrue();
    }

    @Test
    void aStreamTheSdkKeepsOpenIsItsToCompleteAndIsReportedOpen() throws Exception {
        MockHttpServletRequest r = request();
        AtomicReference<AsyncContext> sdkContext = new AtomicReference<>();
        CountDownLatch served = new CountDownLatch(1);
        AtomicReference<HandedOffRequest> reported = new AtomicReference<>();
        assertThat(handoff.start(r, new MockHttpServletResponse(), (req, resp) -> {
            // What the SDK does for a held-open stream: start async itself (a second time, here allowed).
            AsyncContext c = req.startAsync();
            c.setTimeout(0);
            sdkContext.set(c);
        }, handed -> {
            reported.set(handed);
            served.countDown();
        }, new Held())).isTrue();
        assertThat(served.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(r.isAsyncStarted()).as("still open: the SDK owns it").isTrue();
        assertThat(reported.get().isAsyncStarted()).isTrue();
        sdkContext.get().complete();
        awaitCompleted(r);
        assertThat(reported.get().isAsyncStarted()).isFalse();
    }

    @Test
    void aFailureInTheTransportIsAJsonRpcErrorWithAReferenceAndNoDetail() throws Exception {
        MockHttpServletRequest r = request();
        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThat(handoff.start(r, response, (req, resp) -> {
            throw new IllegalStateException("secret internal detail at /srv/caravan/data");
        }, x -> { }, new Held())).isTrue();
        awaitCompleted(r);
        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(response.getContentAsString()).contains("\"jsonrpc\":\"2.0\"").contains("-32603").contains("ref ")
                .doesNotContain("secret").doesNotContain("/srv").doesNotContain("IllegalStateException");
    }
}
