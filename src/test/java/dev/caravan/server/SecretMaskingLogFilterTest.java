package dev.caravan.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import dev.caravan.support.LogbackCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Through a real Logback context: a key= in a message, an argument or an exception never reaches an appender. */
class SecretMaskingLogFilterTest {
    @Test
    void keyValuesAreMaskedWhereverTheyAppear() {
        LogbackCapture log = new LogbackCapture(new SecretMaskingLogFilter(), Level.INFO);

        // What Tomcat's Http11Processor logs for a request target with an invalid character.
        Logger tomcat = log.logger("org.apache.coyote.http11.Http11Processor");
        tomcat.info("Error parsing HTTP request header", new IllegalArgumentException(
                "Invalid character found in the request target [/mcp/files?key=s3cr3tT0k3n&x={bad} ]. "
                        + "The valid characters are defined in RFC 7230 and RFC 3986"));
        log.logger("x").warn("GET {} failed", "/sse/crm?key=an0th3r&sessionId=1");
        log.logger("x").info("GET /s/abc?KEY=th1rd");
        log.logger("x").info("no secret here, monkey business");
        log.logger("x").debug("below the level: key=dropped");

        assertThat(log.events()).hasSize(4);
        StringBuilder all = new StringBuilder();
        for (ILoggingEvent e : log.events()) {
            all.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
                all.append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }
        assertThat(all.toString()).doesNotContain("s3cr3tT0k3n").doesNotContain("an0th3r").doesNotContain("th1rd")
                .contains("key=***&x={bad}").contains("/sse/crm?key=***&sessionId=1")
                .contains("Invalid character found in the request target").contains("monkey business");
        assertThat(log.events().get(0).getLoggerName()).isEqualTo("org.apache.coyote.http11.Http11Processor");
        assertThat(log.events().get(0).getLevel()).isEqualTo(Level.INFO);
    }
}
