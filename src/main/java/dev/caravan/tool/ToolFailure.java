package dev.caravan.tool;

/**
 * A failure whose message is meant for the calling agent: it is returned verbatim as an {@code isError}
 * result. Routes raise it with {@code throwException} (exceptionType {@code dev.caravan.tool.ToolFailure});
 * every other exception is reported with a correlation id only, so nothing internal leaks.
 */
public class ToolFailure extends RuntimeException {
    public ToolFailure(String message) {
        super(message);
    }
}
