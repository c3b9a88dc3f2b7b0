package dev.caravan.tool;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

import java.util.Locale;
import java.util.Map;

/**
 * Wraps a component's own header filter so that Caravan's state never leaves the process and is never taken in
 * from outside: {@code Caravan*} headers (caller identity, argument map, tool name …) are not sent by producers
 * nor copied from replies or requests, and a header that still holds a caller's argument as Caravan bound it is
 * not sent either. Everything else is the component's decision, as before.
 */
final class OutboundHeaderFilter implements HeaderFilterStrategy {
    private static final String PREFIX = "caravan";

    private final HeaderFilterStrategy delegate;

    OutboundHeaderFilter(HeaderFilterStrategy delegate) {
        this.delegate = delegate;
    }

    static boolean internal(String name) {
        return name != null && name.toLowerCase(Locale.ROOT).startsWith(PREFIX);
    }

    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return internal(name) || callerArgument(name, exchange)
                || (delegate != null && delegate.applyFilterToCamelHeaders(name, value, exchange));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        // A remote reply or request must not be able to set Caravan's state (MIME type, elicitation action …).
        return internal(name) || (delegate != null && delegate.applyFilterToExternalHeaders(name, value, exchange));
    }

    /**
     * The header is one Caravan bound from the call's arguments and the route has not replaced it. Compared by
     * identity: producers pass the value already converted to text, and a route that sets the header anew means
     * to send it.
     */
    private static boolean callerArgument(String name, Exchange exchange) {
        if (exchange == null) {
            return false;
        }
        Map<?, ?> args = exchange.getProperty(OutboundCalls.ARGUMENTS, Map.class);
        if (args == null || !args.containsKey(name)) {
            return false;
        }
        Object bound = args.get(name);
        return bound == null || exchange.getMessage().getHeader(name) == bound;
    }
}
