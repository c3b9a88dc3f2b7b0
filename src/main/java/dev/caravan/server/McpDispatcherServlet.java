package dev.caravan.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.Caller;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one servlet behind {@code /mcp/*} and {@code /sse/*}: checks Host/Origin, finds the endpoint, checks the
 * credential, vets the body, notes cancellations, then hands the request to that endpoint's SDK transport.
 * Nothing here logs a URL or header, so a secret in a query string or Referer never reaches the log.
 */
public class McpDispatcherServlet extends HttpServlet {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EndpointRuntime runtime;
    private final EndpointService endpoints;
    private final CallRegistry calls;
    private final OriginGuard guard;
    private final int maxRequestBytes;
    private final SseSessionCallers sseCallers = new SseSessionCallers();

    public McpDispatcherServlet(EndpointRuntime runtime, EndpointService endpoints, CallRegistry calls,
                                OriginGuard guard, int maxRequestBytes) {
        this.runtime = runtime;
        this.endpoints = endpoints;
        this.calls = calls;
        this.guard = guard;
        this.maxRequestBytes = maxRequestBytes;
    }

    private record Target(boolean sse, String name, boolean sseMessage) {
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        // Spring Security's header filter does not run for this servlet (see AdminSecurity): the two headers that
        // matter for JSON and event streams are set here.
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
        Target target = parse(request.getRequestURI().substring(request.getContextPath().length()));
        if (target == null) {
            error(response, 404, -32600, "No MCP endpoint at this path; endpoints are /mcp/NAME and /sse/NAME");
            return;
        }
        String refused = guard.refuse(request);
        if (refused != null) {
            error(response, 403, -32600, refused);
            return;
        }
        EndpointViews endpoint = runtime.find(target.name());
        if (endpoint == null) {
            error(response, 404, -32600, "No enabled endpoint named '" + target.name() + "'");
            return;
        }
        String token = credential(request);
        boolean sessionBound = target.sseMessage() && token == null && request.getParameter("sessionId") != null;
        // A legacy SSE message POST is bound to a session that was authenticated when its stream opened.
        Caller caller = sessionBound ? sseCallers.of(request.getParameter("sessionId"), target.name())
                : endpoints.authenticate(target.name(), token);
        if (caller == null && !sessionBound) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"caravan\", error=\""
                    + (token == null ? "invalid_request" : "invalid_token") + "\"");
            error(response, 401, -32600, token == null
                    ? "This endpoint needs a credential: send 'Authorization: Bearer <token>' or use the endpoint's secret URL"
                    : "The credential is not valid for this endpoint (wrong, expired or regenerated); ask for the current one");
            return;
        }
        HttpServletRequest vetted = request;
        if ("POST".equals(request.getMethod())) {
            vetted = vet(request, response, target);
            if (vetted == null) {
                return;
            }
        }
        vetted.setAttribute(Caller.ATTRIBUTE, caller);
        // Each credential's requests go to the SDK servers of its tool view (see EndpointViews).
        EndpointServer server = endpoint.of(caller);
        HttpServletResponse answer = new ContainerManagedConnection(response);
        if (target.sse() && !target.sseMessage()) {
            server.serveSse(vetted, sseCallers.recording(vetted, answer, caller));
        } else if (target.sse()) {
            server.serveSse(vetted, answer);
        } else {
            server.serveStreamable(vetted, answer);
        }
    }

    /** Checks type and size, reads the body once, records the call key and applies cancellations. */
    private HttpServletRequest vet(HttpServletRequest request, HttpServletResponse response, Target target)
            throws IOException {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            error(response, 415, -32700, "Content-Type must be application/json");
            return null;
        }
        if (request.getContentLengthLong() > maxRequestBytes) {
            error(response, 413, -32600, "Request body exceeds " + maxRequestBytes + " bytes (caravan.mcp.max-request-bytes)");
            return null;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxRequestBytes + 1);
        }
        if (body.length > maxRequestBytes) {
            error(response, 413, -32600, "Request body exceeds " + maxRequestBytes + " bytes (caravan.mcp.max-request-bytes)");
            return null;
        }
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (IOException e) {
            error(response, 400, -32700, "Parse error: the body is not valid JSON");
            return null;
        }
        if (message == null || !message.isObject() || !"2.0".equals(message.path("jsonrpc").asText())
                || !message.path("method").isTextual() && !message.has("result") && !message.has("error")) {
            error(response, 400, -32600, "Invalid Request: expected one JSON-RPC 2.0 message object");
            return null;
        }
        String session = target.sse() ? request.getParameter("sessionId") : request.getHeader("Mcp-Session-Id");
        String method = message.path("method").asText();
        if (message.has("id") && !method.isEmpty()) {
            request.setAttribute(EndpointServer.CALL_KEY, CallRegistry.key(target.name(), session, message.get("id")));
        }
        if ("notifications/cancelled".equals(method) && message.path("params").has("requestId")) {
            calls.cancel(CallRegistry.key(target.name(), session, message.path("params").get("requestId")));
        }
        return new CachedBodyRequest(request, body);
    }

    private static Target parse(String path) {
        String[] parts = path.split("/", -1);
        // "", "mcp"|"sse", NAME [, "message"]
        if (parts.length < 3 || parts[2].isEmpty()) {
            return null;
        }
        if ("mcp".equals(parts[1]) && parts.length == 3) {
            return new Target(false, parts[2], false);
        }
        if ("sse".equals(parts[1]) && (parts.length == 3 || parts.length == 4 && "message".equals(parts[3]))) {
            return new Target(true, parts[2], parts.length == 4);
        }
        return null;
    }

    private static String credential(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return request.getParameter("key");
    }

    private static void error(HttpServletResponse response, int status, int code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(Map.of("jsonrpc", "2.0",
                "error", Map.of("code", code, "message", message))));
    }

    /** The request with its body already read, so the SDK can read it again. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    /**
     * The response as the SDK sees it, less the {@code Connection: keep-alive} the SDK sets on its SSE answers.
     * Keeping a connection open is the container's decision: when Tomcat closes one (its 100th request, by
     * default) it adds {@code Connection: close}, and a {@code keep-alive} beside it makes clients send their next
     * request on a connection the server is closing, and fail it.
     */
    private static final class ContainerManagedConnection extends HttpServletResponseWrapper {
        ContainerManagedConnection(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setHeader(String name, String value) {
            if (!"Connection".equalsIgnoreCase(name)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!"Connection".equalsIgnoreCase(name)) {
                super.addHeader(name, value);
            }
        }
    }
}
