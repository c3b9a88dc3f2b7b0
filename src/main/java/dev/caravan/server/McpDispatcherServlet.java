package dev.caravan.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.Periodic;
import dev.caravan.core.Caller;
import dev.caravan.server.oauth.EndpointTokens;
import dev.caravan.server.oauth.SessionOwners;
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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one servlet behind {@code /mcp/*} and {@code /sse/*}: checks Host/Origin, finds the endpoint, checks the
 * credential, vets the body, notes cancellations, then hands the request to that endpoint's SDK transport.
 * Nothing here logs a URL or header, so a secret in a query string or Referer never reaches the log.
 */
public class McpDispatcherServlet extends HttpServlet {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESSAGE = "caravan.jsonRpcMessage";
    /** Request attribute: this POST speaks 2026-07-28 (see {@link ModernEra}). */
    private static final String MODERN = "caravan.modern";

    private final EndpointRuntime runtime;
    private final CallRegistry calls;
    private final OpenStreams streams;
    private final OriginGuard guard;
    private final int maxRequestBytes;
    private final SseSessionCallers sseCallers = new SseSessionCallers();
    // Closes the streams of a credential that no longer opens its endpoint: soon after a change made on this node,
    // and every second for changes made on another (seen once the credential cache window has passed).
    private final Periodic sweepSoon;
    private final Periodic sweeper;
    private final McpAdmission admission;
    private final Duration bodyReadTimeout;
    /** Where POSTs wait out their call, off Tomcat's threads (see CallHandoff for why a pool). */
    private final CallHandoff handoff;
    /** Who each request speaks for (keys, secret URLs, access tokens, legacy SSE sessions). */
    private final CallerResolver callers;
    /** Who opened each 2025-era session, so that another user's token cannot ride it. */
    private final SessionOwners owners = new SessionOwners();

    public McpDispatcherServlet(EndpointRuntime runtime, EndpointService endpoints, CallRegistry calls,
                                OriginGuard guard, int maxRequestBytes) {
        this(runtime, endpoints, calls, guard, maxRequestBytes, new McpAdmission(Integer.MAX_VALUE / 2),
                Duration.ofSeconds(10), 64);
    }

    public McpDispatcherServlet(EndpointRuntime runtime, EndpointService endpoints, CallRegistry calls,
                                OriginGuard guard, int maxRequestBytes, McpAdmission admission,
                                Duration bodyReadTimeout, int maxCallsInFlight) {
        this.runtime = runtime;
        this.calls = calls;
        this.streams = calls.streams();
        this.guard = guard;
        this.maxRequestBytes = maxRequestBytes;
        this.admission = admission;
        this.bodyReadTimeout = bodyReadTimeout;
        this.handoff = new CallHandoff(maxCallsInFlight);
        this.sweepSoon = Periodic.onRequest("stream-revoke", Duration.ZERO, this::closeRevokedStreams).start();
        this.callers = new CallerResolver(endpoints, sseCallers, sweepSoon::request);
        this.sweeper = Periodic.every("stream-recheck", Duration.ofSeconds(1), this::closeRevokedStreams).start();
        endpoints.onCredentialsChanged(sweepSoon::request);
    }

    /** Lets the endpoints that have an OAuth policy take access tokens beside their keys. */
    public McpDispatcherServlet acceptingTokens(EndpointTokens tokens) {
        callers.acceptTokens(tokens);
        return this;
    }

    private void closeRevokedStreams() {
        streams.sweep((name, hash) -> runtime.find(name) != null && callers.stillOpens(name, hash));
    }

    @Override
    public void destroy() {
        sweeper.close();
        sweepSoon.close();
        handoff.close();
        super.destroy();
    }

    private record Target(boolean sse, String name, boolean sseMessage) {
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        Held held = new Held();
        try {
            serviceUnlessDraining(request, response, held);
        } finally {
            held.threadReturns();
        }
    }

    private void serve(HttpServletRequest request, HttpServletResponse response, Held held)
            throws ServletException, IOException {
        // Per address first, before any credential is looked at: one host cannot take every slot below.
        String address = request.getRemoteAddr();
        if (!admission.tryEnterAddress(address)) {
            response.setHeader("Retry-After", "1");
            response.setHeader("Connection", "close");
            error(response, 429, -32000, "Too many concurrent MCP requests from this client address (at most "
                    + admission.perAddress() + ", caravan.mcp.max-concurrent-per-address); retry shortly");
            return;
        }
        held.untilDone(() -> admission.leaveAddress(address));
        // Request threads only: released when this thread leaves, even if the call goes on on the hand-off pool.
        if (!admission.tryEnter()) {
            // Refused before anything is read; the connection closes so its unread body holds nothing.
            response.setHeader("Retry-After", "2");
            response.setHeader("Connection", "close");
            error(response, 503, -32000, "The server is at its limit of " + admission.limit()
                    + " concurrent MCP requests (caravan.mcp.max-concurrent-requests); retry shortly");
            return;
        }
        try {
            dispatch(request, response, held);
        } finally {
            admission.leave();
        }
    }

    private void dispatch(HttpServletRequest request, HttpServletResponse response, Held held)
            throws ServletException, IOException {
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
        Cors.allow(request, response);
        EndpointViews endpoint = runtime.find(target.name());
        if (endpoint == null) {
            error(response, 404, -32600, "No enabled endpoint named '" + target.name() + "'");
            return;
        }
        if (Cors.isPreflight(request)) {
            Cors.answerPreflight(request, response);
            return;
        }
        CallerResolver.Resolution who = callers.resolve(request, target.name(), target.sse(), target.sseMessage());
        if (who.refused()) {
            who.headers().forEach(response::setHeader);
            error(response, who.status(), who.code(), who.error());
            return;
        }
        String version = request.getHeader("MCP-Protocol-Version");
        if (!target.sse() && version != null && request.getHeader("Mcp-Session-Id") != null
                && !ProtocolVersions.supported(version)) {
            // Streamable HTTP spec: an invalid or unsupported version header is answered 400. Without a session the
            // request is the 2026-07-28 server's, which answers an unknown version itself (-32022, ModernEra).
            error(response, 400, -32600, "Unsupported MCP-Protocol-Version '" + version.strip()
                    + "'; this server supports " + String.join(", ", ProtocolVersions.SUPPORTED));
            return;
        }
        // Per credential (a legacy SSE message POST: per session), taken before the body is read.
        String client = who.sessionBound() ? "session:" + request.getParameter("sessionId") : "credential:" + who.token();
        if (!admission.tryEnterClient(client)) {
            response.setHeader("Retry-After", "1");
            response.setHeader("Connection", "close");
            error(response, 429, -32000, "Too many concurrent requests with this credential (at most "
                    + admission.perClient() + ", caravan.mcp.max-concurrent-per-client); retry shortly");
            return;
        }
        held.untilDone(() -> admission.leaveClient(client));
        pass(request, response, target, endpoint, who.caller(), who.openedWith(), who.viaToken(), held);
    }

    private void pass(HttpServletRequest request, HttpServletResponse response, Target target, EndpointViews endpoint,
                      Caller caller, String openedWith, boolean viaToken, Held held) throws ServletException, IOException {
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
        String session = target.sse() ? null : vetted.getHeader("Mcp-Session-Id");
        if (session != null && owners.refuses(session, caller.principal(), viaToken)) {
            error(response, 403, -32600, "This session was opened by another user or credential; initialize a new "
                    + "session with your own");
            return;
        }
        if (!target.sse() && unknownTool(vetted, response, server)) {
            return;
        }
        HttpServletResponse answer = new ContainerManagedConnection(response);
        if (!target.sse() && session == null && !Boolean.TRUE.equals(vetted.getAttribute(MODERN))) {
            answer = owners.recording(answer, caller.principal(), viaToken);
        }
        if (vetted.getAttribute(MESSAGE) instanceof JsonNode m && !m.has("method")) {
            answer = new ClientResponseAnswer(answer);
        }
        if (target.sse() && !target.sseMessage()) {
            server.serveSse(vetted, sseCallers.recording(vetted, answer, caller, openedWith));
        } else if ("POST".equals(vetted.getMethod())) {
            // A POST may wait minutes on a route or an upstream: it waits on the hand-off pool, not on this thread.
            boolean modern = Boolean.TRUE.equals(vetted.getAttribute(MODERN));
            CallHandoff.Work work = target.sse() ? server::serveSse : modern ? server::serveModern
                    : server::serveStreamable;
            if (!handoff.start(vetted, answer, work, handed -> track(handed, target, openedWith), held)) {
                response.setHeader("Retry-After", "2");
                error(response, 503, -32000, "The server is at its limit of " + handoff.limit()
                        + " MCP calls in flight (caravan.mcp.max-calls-in-flight); retry shortly");
            }
            return;
        } else if (target.sse()) {
            server.serveSse(vetted, answer);
        } else {
            server.serveStreamable(vetted, answer);
        }
        track(vetted, target, openedWith);
    }

    /** A response the SDK holds open is closed when its credential stops opening the endpoint. */
    private void track(HttpServletRequest request, Target target, String openedWith) {
        if (openedWith != null && request.isAsyncStarted()) {
            streams.track(request.getAsyncContext(), target.name(), openedWith);
        }
    }

    /**
     * Answers a tools/call for a tool this view does not show with a JSON-RPC error that names the tool and the
     * closest one shown. Streamable HTTP only: on legacy SSE the answer must go down the session's stream, which
     * the SDK owns, so there the SDK's own message stands.
     */
    private static boolean unknownTool(HttpServletRequest request, HttpServletResponse response, EndpointServer server)
            throws IOException {
        if (!(request.getAttribute(MESSAGE) instanceof JsonNode message) || !"tools/call".equals(message.path("method").asText())
                || !message.has("id") || !message.path("params").path("name").isTextual()) {
            return false;
        }
        String name = message.path("params").path("name").asText();
        if (server.showsTool(name)) {
            return false;
        }
        List<String> shown = server.toolNames();
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jsonrpc", "2.0");
        answer.put("id", message.get("id"));
        answer.put("error", Map.of("code", -32602, "message", ToolNameHint.unknownTool(name, shown)));
        response.getWriter().write(JSON.writeValueAsString(answer));
        return true;
    }

    /** While the node shuts down, new requests are refused and those in flight counted, so they can finish. */
    private void serviceUnlessDraining(HttpServletRequest request, HttpServletResponse response, Held held)
            throws ServletException, IOException {
        if (!calls.enter()) {
            response.setHeader("Retry-After", "5");
            error(response, 503, -32000, "This Caravan node is shutting down and takes no new requests; "
                    + "retry in a moment (another node, or this one after its restart, will answer)");
            return;
        }
        held.untilDone(calls::leave);
        serve(request, response, held);
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
            body = BodyReads.readWithin(in, maxRequestBytes + 1, bodyReadTimeout);
        } catch (BodyReads.TooSlow e) {
            response.setHeader("Connection", "close");
            error(response, 408, -32600, "The request body did not arrive within " + bodyReadTimeout.toSeconds()
                    + " s (caravan.mcp.body-read-timeout); send it again");
            return null;
        }
        if (body.length > maxRequestBytes) {
            error(response, 413, -32600, "Request body exceeds " + maxRequestBytes + " bytes (caravan.mcp.max-request-bytes)");
            return null;
        }
        JsonRpcVetting.Outcome outcome = JsonRpcVetting.vet(body);
        if (!outcome.ok()) {
            error(response, outcome.status(), outcome.code(), outcome.error(), outcome.id());
            return null;
        }
        JsonNode message = outcome.message();
        if (!target.sse() && ModernEra.wants(request, message)) {
            request.setAttribute(MODERN, Boolean.TRUE);
        }
        String session = target.sse() ? request.getParameter("sessionId") : request.getHeader("Mcp-Session-Id");
        String method = message.path("method").asText();
        if (message.has("id") && !method.isEmpty()) {
            request.setAttribute(EndpointServer.CALL_KEY, CallRegistry.key(target.name(), session, message.get("id")));
        }
        if ("notifications/cancelled".equals(method) && message.path("params").has("requestId")) {
            calls.cancel(CallRegistry.key(target.name(), session, message.path("params").get("requestId")));
        }
        request.setAttribute(MESSAGE, message);
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

    private static void error(HttpServletResponse response, int status, int code, String message) throws IOException {
        error(response, status, code, message, null);
    }

    private static void error(HttpServletResponse response, int status, int code, String message, JsonNode id)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jsonrpc", "2.0");
        if (id != null) {
            answer.put("id", id);
        }
        answer.put("error", Map.of("code", code, "message", message));
        response.getWriter().write(JSON.writeValueAsString(answer));
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
