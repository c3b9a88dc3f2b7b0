package dev.caravan.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Through a real Logback context: a key= in a message, an argument or an exception never reaches an appender. */
class SecretMaskingLogFilterTest {
    @Test
    void keyValuesAreMaskedWhereverTheyAppear() {
        LoggerContext context = new LoggerContext();
        SecretMaskingLogFilter filter = new SecretMaskingLogFilter();
        filter.start();
        context.addTurboFilter(filter);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.setContext(context);
        events.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(events);
        root.setLevel(Level.INFO);

        // What Tomcat's Http11Processor logs for a request target with an invalid character.
        Logger tomcat = context.getLogger("org.apache.coyote.http11.Http11Processor");
        tomcat.info("Error parsing HTTP request header", new IllegalArgumentException(
                "Invalid character found in the request target [/mcp/files?key=s3cr3tT0k3n&x={bad} ]. "
                        + "The valid characters are defined in RFC 7230 and RFC 3986"));
        context.getLogger("x").warn("GET {} failed", "/sse/crm?key=an0th3r&sessionId=1");
        context.getLogger("x").info("GET /s/abc?KEY=th1rd");
        context.getLogger("x").info("no secret here, monkey business");
        context.getLogger("x").debug("below the level: key=dropped");

        assertThat(events.list).hasSize(4);
        StringBuilder all = new StringBuilder();
        for (ILoggingEvent e : events.list) {
            all.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
                all.append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }
        assertThat(all.toString()).doesNotContain("s3cr3tT0k3n").doesNotContain("an0th3r").doesNotContain("th1rd")
                .contains("key=***&x={bad}").contains("/sse/crm?key=***&sessionId=1")
                .contains("Invalid character found in the request target").contains("monkey business");
        assertThat(events.list.get(0).getLoggerName()).isEqualTo("org.apache.coyote.http11.Http11Processor");
        assertThat(events.list.get(0).getLevel()).isEqualTo(Level.INFO);
    }
}
