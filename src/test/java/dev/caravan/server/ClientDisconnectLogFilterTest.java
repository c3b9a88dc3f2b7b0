package dev.caravan.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.caravan.support.LogbackCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Through a real Logback context: the messages the SDK and Spring MVC log for a client gone away, and real errors. */
class ClientDisconnectLogFilterTest {
    /** The logger the SDK's session transports use (seen in Caravan's log after a client dropped its stream). */
    private static final String TRANSPORT = "io.modelcontextprotocol.spec.McpTransport";
    private static final String RESOLVER = "org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver";

    @Test
    void disconnectsGoToDebugAndRealErrorsStay() {
        LogbackCapture log = new LogbackCapture(new ClientDisconnectLogFilter(), Level.DEBUG);

        Logger transport = log.logger(TRANSPORT);
        transport.error("Failed to send message to session {}: {}", "s1", "java.io.IOException: Broken pipe");
        transport.error("Failed to send message to session {}: {}", "s2", "Connection reset by peer");
        transport.error("Failed to send message to session {}: {}", "s4", "Client disconnected");
        log.logger(RESOLVER).warn("Resolved [org.springframework.http.converter.HttpMessageNotWritableException: "
                + "No converter for [class java.util.LinkedHashMap] with preset Content-Type 'text/event-stream']");
        // Real failures: a serialisation bug, and other loggers' errors.
        transport.error("Failed to send message to session {}: {}", "s3", "Java 8 date/time type not supported");
        log.logger("dev.caravan.Anything").error("Broken pipe to the database");

        assertThat(log.events()).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSize(4)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("(client disconnected)"));
        assertThat(log.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("Failed to send message to session s3: Java 8 date/time type not supported",
                        "Broken pipe to the database");
    }
}
