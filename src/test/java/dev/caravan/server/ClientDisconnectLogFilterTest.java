package dev.caravan.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Through a real Logback context: the messages the SDK and Spring MVC log for a client gone away, and real errors. */
class ClientDisconnectLogFilterTest {
    /** The logger the SDK's session transports use (seen in Caravan's log after a client dropped its stream). */
    private static final String TRANSPORT = "io.modelcontextprotocol.spec.McpTransport";
    private static final String RESOLVER = "org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver";

    @Test
    void disconnectsGoToDebugAndRealErrorsStay() {
        LoggerContext context = new LoggerContext();
        ClientDisconnectLogFilter filter = new ClientDisconnectLogFilter();
        filter.start();
        context.addTurboFilter(filter);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.setContext(context);
        events.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(events);
        root.setLevel(Level.DEBUG);

        Logger transport = context.getLogger(TRANSPORT);
        transport.error("Failed to send message to session {}: {}", "s1", "java.io.IOException: Broken pipe");
        transport.error("Failed to send message to session {}: {}", "s2", "Connection reset by peer");
        transport.error("Failed to send message to session {}: {}", "s4", "Client disconnected");
        context.getLogger(RESOLVER).warn("Resolved [org.springframework.http.converter.HttpMessageNotWritableException: "
                + "No converter for [class java.util.LinkedHashMap] with preset Content-Type 'text/event-stream']");
        // Real failures: a serialisation bug, and other loggers' errors.
        transport.error("Failed to send message to session {}: {}", "s3", "Java 8 date/time type not supported");
        context.getLogger("dev.caravan.Anything").error("Broken pipe to the database");

        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSize(4)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("(client disconnected)"));
        assertThat(events.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("Failed to send message to session s3: Java 8 date/time type not supported",
                        "Broken pipe to the database");
    }
}
