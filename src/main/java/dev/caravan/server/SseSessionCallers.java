package dev.caravan.server;

import dev.caravan.core.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who opened each legacy SSE session. A legacy client authenticates once, on the GET that opens the stream, and
 * then posts its messages with only the session id; those messages must still run as that caller. The SDK makes the
 * session id up and tells the client in the stream's first {@code endpoint} event, so the id is read from there.
 * An entry lives as long as its stream. It keeps the hash of the secret that opened the session, so that every
 * message can be re-checked against the credentials as they are now (a session must not outlive its secret).
 */
final class SseSessionCallers {
    private static final Pattern SESSION_ID = Pattern.compile("sessionId=([A-Za-z0-9-]+)");

    private record Session(String endpoint, String tokenHash) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /** The hash of the secret that opened this endpoint's session, or null when the session is unknown here. */
    String openedWith(String sessionId, String endpoint) {
        Session s = sessionId == null ? null : sessions.get(sessionId);
        return s != null && s.endpoint().equals(endpoint) ? s.tokenHash() : null;
    }

    /** The response, watched for the session id it announces; the entry goes when the stream ends. */
    HttpServletResponse recording(HttpServletRequest request, HttpServletResponse response, Caller caller,
                                  String tokenHash) {
        return new HttpServletResponseWrapper(response) {
            private PrintWriter writer;

            @Override
            public PrintWriter getWriter() throws IOException {
                if (writer == null) {
                    writer = new PrintWriter(new Announcement(super.getWriter(), id -> {
                        sessions.put(id, new Session(caller.endpoint(), tokenHash));
                        if (request.isAsyncStarted()) {
                            request.getAsyncContext().addListener(new WhenStreamEnds(() -> sessions.remove(id)));
                        }
                    }));
                }
                return writer;
            }
        };
    }

    /** Passes everything through, and reports the first session id it sees. */
    private static final class Announcement extends FilterWriter {
        private final Consumer<String> found;
        private StringBuilder seen = new StringBuilder();

        Announcement(Writer out, Consumer<String> found) {
            super(out);
            this.found = found;
        }

        @Override
        public void write(int c) throws IOException {
            super.write(c);
            look(String.valueOf((char) c));
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            super.write(buf, off, len);
            look(new String(buf, off, len));
        }

        @Override
        public void write(String str, int off, int len) throws IOException {
            super.write(str, off, len);
            look(str.substring(off, off + len));
        }

        private void look(String text) {
            if (seen == null) {
                return;
            }
            seen.append(text);
            int eventEnd = seen.indexOf("\n\n");
            if (eventEnd >= 0 || seen.length() > 4096) {
                Matcher m = SESSION_ID.matcher(seen);
                if (m.find()) {
                    found.accept(m.group(1));
                }
                seen = null;
            }
        }
    }
}
