package dev.caravan.tool;

/** A route's ai-tool / ai-resource / ai-prompt options are wrong; raised when the route starts. */
public class RouteDefinitionException extends RuntimeException {
    public RouteDefinitionException(String message) {
        super(message);
    }

    public RouteDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
