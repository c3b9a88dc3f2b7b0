package dev.caravan.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;

import java.util.List;

/**
 * A fresh Logback context (not the application's) with one turbo filter and a root logger at a given level that
 * records every event reaching its appender: what a log filter's test logs through and asserts on.
 */
public final class LogbackCapture {
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    public LogbackCapture(TurboFilter filter, Level rootLevel) {
        filter.start();
        context.addTurboFilter(filter);
        events.setContext(context);
        events.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(events);
        root.setLevel(rootLevel);
    }

    public Logger logger(String name) {
        return context.getLogger(name);
    }

    /** The events that passed the filter and the level, in order. */
    public List<ILoggingEvent> events() {
        return events.list;
    }
}
