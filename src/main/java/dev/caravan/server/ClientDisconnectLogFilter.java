package dev.caravan.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A client that goes away while the server writes to it is ordinary (a closed tab, a client's reconnect, an
 * abandoned SSE stream), yet the SDK logs it as {@code ERROR Failed to send message to session ...} and Spring MVC,
 * writing the error page for that aborted stream, as {@code WARN ... HttpMessageNotWritableException}. Those two
 * cases, and only when the cause reads as a disconnect, go to DEBUG on the same logger; every other error stays.
 * The SDK passes the cause's message, not the exception, so the message text is all there is to match (seen
 * here: {@code ERROR i.m.spec.McpTransport : Failed to send message to session ID: Client disconnected}).
 */
public final class ClientDisconnectLogFilter extends TurboFilter {
    private static final String NAME = "caravan-client-disconnects";
    private static final Pattern DISCONNECT = Pattern.compile(
            "client disconnected|broken pipe|connection reset|clientabortexception|connection was aborted|stream closed|"
                    + "response has been closed|closed channel|eofexception|an established connection", Pattern.CASE_INSENSITIVE);

    /** Adds the filter once to Logback, when Logback is the logging backend. */
    public static void install() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(f -> NAME.equals(f.getName()))) {
            ClientDisconnectLogFilter filter = new ClientDisconnectLogFilter();
            filter.setName(NAME);
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || !level.isGreaterOrEqual(Level.WARN) || !isDisconnect(logger.getName(), format, params, t)) {
            return FilterReply.NEUTRAL;
        }
        // Logged again at DEBUG, which this filter lets through.
        if (logger.isDebugEnabled()) {
            logger.debug("(client disconnected) " + format, params);
        }
        return FilterReply.DENY;
    }

    static boolean isDisconnect(String logger, String format, Object[] params, Throwable t) {
        if (logger.startsWith("io.modelcontextprotocol.") && format.startsWith("Failed to send message to session")) {
            return mentionsDisconnect(params, t);
        }
        if (logger.equals("org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver")
                && format.contains("HttpMessageNotWritableException")) {
            // The error page for an aborted event stream: nothing can be written to it, and nobody reads it.
            return format.contains("text/event-stream") || DISCONNECT.matcher(format).find();
        }
        return false;
    }

    private static boolean mentionsDisconnect(Object[] params, Throwable t) {
        StringBuilder text = new StringBuilder();
        if (params != null) {
            for (Object p : params) {
                text.append(' ').append(p);
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            text.append(' ').append(c.getClass().getSimpleName()).append(' ').append(c.getMessage());
        }
        return DISCONNECT.matcher(text.toString().toLowerCase(Locale.ROOT)).find();
    }
}
