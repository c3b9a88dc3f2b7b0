package dev.caravan.tool;

/**
 * Thrown by the calling client's channel when a route asks the client (elicitation, sampling, roots) on the
 * 2026-07-28 protocol, where the server cannot wait for the answer: the call ends with an {@code input_required}
 * result and the client calls again with the answer. The asking step stops the route, so the steps after the ask
 * do not run on this round.
 */
public class ClientInputPending extends RuntimeException {
    public ClientInputPending(String method) {
        super("Waiting for the client's answer to " + method, null, false, false);
    }
}
