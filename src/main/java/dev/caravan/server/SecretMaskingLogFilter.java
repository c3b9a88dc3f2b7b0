package dev.caravan.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Endpoint secrets travel in {@code ?key=} (secret URLs), and some loggers print a request target whole: Tomcat
 * logs {@code INFO Http11Processor : Error parsing HTTP request header ... Invalid character found in the request
 * target [/mcp/x?key=SECRET&q={bad}]} (the target is in the exception's message). Any log event whose message,
 * arguments or exception text holds an unmasked {@code key=VALUE} is dropped and logged again, same logger and
 * level, with the value replaced by {@code ***} (the exception keeps its stack, with masked messages).
 */
public final class SecretMaskingLogFilter extends TurboFilter {
    private static final String NAME = "caravan-secret-masking";
    private static final String FQCN = SecretMaskingLogFilter.class.getName();
    /** key= after a start of query, '&', ';' or a separator; its value up to the next delimiter, unless masked. */
    private static final Pattern KEY = Pattern.compile("(?i)(\\bkey=)(?!\\*\\*\\*)[^&\\s\\]\\[\"'<>;,)]+");

    /** Adds the filter once to Logback, when Logback is the logging backend. */
    public static void install() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(f -> NAME.equals(f.getName()))) {
            SecretMaskingLogFilter filter = new SecretMaskingLogFilter();
            filter.setName(NAME);
            filter.start();
            // First, so the disconnect filter's re-logged events are masked too.
            context.getTurboFilterList().add(0, filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || !logger.isEnabledFor(level) || !holdsSecret(format, params, t)) {
            return FilterReply.NEUTRAL;
        }
        Object[] masked = null;
        if (params != null) {
            masked = new Object[params.length];
            for (int i = 0; i < params.length; i++) {
                masked[i] = params[i] instanceof Throwable th ? mask(th) : params[i] == null ? null : mask(String.valueOf(params[i]));
            }
        }
        logger.log(marker, FQCN, Level.toLocationAwareLoggerInteger(level), mask(format), masked, t == null ? null : mask(t));
        return FilterReply.DENY;
    }

    static String mask(String text) {
        Matcher m = KEY.matcher(text);
        return m.find() ? m.replaceAll("$1***") : text;
    }

    private static boolean holdsSecret(String format, Object[] params, Throwable t) {
        if (KEY.matcher(format).find()) {
            return true;
        }
        if (params != null) {
            for (Object p : params) {
                if (p != null && KEY.matcher(String.valueOf(p)).find()) {
                    return true;
                }
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && KEY.matcher(c.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }

    /** A stand-in with the original's class name, masked message, stack and (masked) causes. */
    private static Throwable mask(Throwable t) {
        Throwable cause = t.getCause() == null || t.getCause() == t ? null : mask(t.getCause());
        Masked copy = new Masked(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + mask(t.getMessage())), cause);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    static final class Masked extends RuntimeException {
        Masked(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
