package dev.caravan.tool;

import dev.caravan.core.EnumIds;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A route's ai-tool / ai-resource / ai-prompt options are wrong; raised when the route starts. */
public class RouteDefinitionException extends RuntimeException {
    public RouteDefinitionException(String message) {
        super(message);
    }

    public RouteDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The operation {@code name} names among a component's {@code operations}, or a route error listing them. */
    public static <E extends Enum<E>> E operation(String uri, String name, Class<E> operations) {
        E op = EnumIds.of(operations, name);
        if (op == null) {
            throw new RouteDefinitionException(uri + ": " + (name == null || name.isBlank()
                    ? "the operation is required" : "unknown operation '" + name + "'") + " (known: "
                    + Arrays.stream(operations.getEnumConstants()).map(EnumIds::id).collect(Collectors.joining(", "))
                    + ")");
        }
        return op;
    }
}
