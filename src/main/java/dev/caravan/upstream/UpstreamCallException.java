package dev.caravan.upstream;

import dev.caravan.tool.ToolFailure;

/**
 * A call that did not reach an answer from the upstream: not connected, timed out, cancelled, or the connection
 * failed under it. The message is meant for the calling agent and never carries upstream secrets or stack
 * traces. It is a {@link ToolFailure}, so an unhandled one in a route reaches the agent verbatim; routes can
 * also catch it with {@code onException}.
 */
public class UpstreamCallException extends ToolFailure {
    public enum Kind { UNKNOWN_UPSTREAM, UNAVAILABLE, TIMEOUT, CANCELLED, FAILED }

    private final String upstream;
    private final Kind kind;

    private final Integer rpcCode;

    public UpstreamCallException(String upstream, Kind kind, String message) {
        this(upstream, kind, message, null);
    }

    /** @param rpcCode the JSON-RPC error code the upstream answered with, when it did */
    public UpstreamCallException(String upstream, Kind kind, String message, Integer rpcCode) {
        super(message);
        this.upstream = upstream;
        this.kind = kind;
        this.rpcCode = rpcCode;
    }

    /** The JSON-RPC error code of the upstream's answer, or null when the failure was not an upstream error. */
    public Integer rpcCode() {
        return rpcCode;
    }

    public String upstream() {
        return upstream;
    }

    public Kind kind() {
        return kind;
    }
}
