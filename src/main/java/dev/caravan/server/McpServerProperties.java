package dev.caravan.server;

import dev.caravan.server.oauth.OAuthPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the published endpoints need: {@code caravan.mcp.*} (protocol limits), {@code caravan.security.*} (hosts and
 * origins), {@code caravan.endpoints.*} (declared endpoints) and {@code caravan.endpoint-reconcile-interval}.
 */
@ConfigurationProperties("caravan")
public class McpServerProperties {
    @NestedConfigurationProperty
    private final Mcp mcp = new Mcp();
    @NestedConfigurationProperty
    private final Security security = new Security();
    /** Endpoints declared in configuration, by name. */
    private Map<String, DeclaredEndpoint> endpoints = new LinkedHashMap<>();
    /** How often each node re-reads the endpoints from the database, to see changes made on other nodes. */
    private Duration endpointReconcileInterval = Duration.ofSeconds(5);

    /** The MCP protocol limits. */
    public static class Mcp {
        /** Largest JSON-RPC request body accepted. */
        private int maxRequestBytes = 4 * 1024 * 1024;
        /** MCP requests on Tomcat's request threads at once (receiving and checking their body); the rest of
         * Tomcat's threads stay for the admin API, files, shares and health. Past it: 503 + Retry-After. A call
         * then waits on its route or upstream on a Caravan thread (see max-calls-in-flight), not on these. */
        private int maxConcurrentRequests = 100;
        /** MCP POSTs whose call is under way at once (each waits on a Caravan thread, not a request thread, for
         * its route or upstream); past it: 503 + Retry-After. */
        private int maxCallsInFlight = 512;
        /** MCP requests one credential (or legacy SSE session) may have in flight at once; past it 429. */
        private int maxConcurrentPerClient = 16;
        /** MCP requests one client address may have in flight at once, counted before any credential is
         * checked; past it 429 + Retry-After. Behind a reverse proxy, set server.forward-headers-strategy so the
         * address is the client's, not the proxy's. */
        private int maxConcurrentPerAddress = 128;

        public int getMaxCallsInFlight() {
            return maxCallsInFlight;
        }

        public void setMaxCallsInFlight(int maxCallsInFlight) {
            this.maxCallsInFlight = maxCallsInFlight;
        }

        public int getMaxConcurrentPerAddress() {
            return maxConcurrentPerAddress;
        }

        public void setMaxConcurrentPerAddress(int maxConcurrentPerAddress) {
            this.maxConcurrentPerAddress = maxConcurrentPerAddress;
        }

        public int getMaxConcurrentPerClient() {
            return maxConcurrentPerClient;
        }

        public void setMaxConcurrentPerClient(int maxConcurrentPerClient) {
            this.maxConcurrentPerClient = maxConcurrentPerClient;
        }
        /** How long an MCP request body may take to arrive in full; a slower one is answered 408. */
        private Duration bodyReadTimeout = Duration.ofSeconds(10);

        public int getMaxConcurrentRequests() {
            return maxConcurrentRequests;
        }

        public void setMaxConcurrentRequests(int maxConcurrentRequests) {
            this.maxConcurrentRequests = maxConcurrentRequests;
        }

        public Duration getBodyReadTimeout() {
            return bodyReadTimeout;
        }

        public void setBodyReadTimeout(Duration bodyReadTimeout) {
            this.bodyReadTimeout = bodyReadTimeout;
        }
        /**
         * How long a request to the calling client (sampling, elicitation) may wait for its answer. Elicitation waits
         * for a person, so this is long; the tool's own timeout still bounds the call.
         */
        private Duration clientRequestTimeout = Duration.ofMinutes(10);
        /**
         * Key (base64, at least 32 bytes) that seals 2026-07-28 request state; unset, one is generated once and kept
         * in the database, so every node sharing it uses the same key.
         */
        private String requestStateKey;
        /** The key before the current one, still accepted for opening request state while clients retry. */
        private String requestStatePreviousKey;
        /** How long sealed request state stays valid. */
        private Duration requestStateTtl = Duration.ofMinutes(10);
        /** Caching hint (ttlMs) on 2026-07-28 listings. */
        private Duration listTtl = Duration.ofMinutes(1);
        /** How often a held-open 2026-07-28 response stream is probed, so a vanished client cancels its call. */
        private Duration keepAlive = Duration.ofSeconds(10);

        public String getRequestStateKey() {
            return requestStateKey;
        }

        public void setRequestStateKey(String requestStateKey) {
            this.requestStateKey = requestStateKey;
        }

        public String getRequestStatePreviousKey() {
            return requestStatePreviousKey;
        }

        public void setRequestStatePreviousKey(String requestStatePreviousKey) {
            this.requestStatePreviousKey = requestStatePreviousKey;
        }

        public Duration getRequestStateTtl() {
            return requestStateTtl;
        }

        public void setRequestStateTtl(Duration requestStateTtl) {
            this.requestStateTtl = requestStateTtl;
        }

        public Duration getListTtl() {
            return listTtl;
        }

        public void setListTtl(Duration listTtl) {
            this.listTtl = listTtl;
        }

        public Duration getKeepAlive() {
            return keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public Duration getClientRequestTimeout() {
            return clientRequestTimeout;
        }

        public void setClientRequestTimeout(Duration clientRequestTimeout) {
            this.clientRequestTimeout = clientRequestTimeout;
        }

        public int getMaxRequestBytes() {
            return maxRequestBytes;
        }

        public void setMaxRequestBytes(int maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
        }
    }

    /** Who may reach the MCP endpoints. */
    public static class Security {
        /** Host header values the MCP endpoints answer to (DNS-rebinding protection); "*" allows any. */
        private List<String> allowedHosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]"));
        /** Browser origins allowed besides those on an allowed host, e.g. https://app.example.com. */
        private List<String> allowedOrigins = new ArrayList<>();

        public List<String> getAllowedHosts() {
            return allowedHosts;
        }

        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }
    }

    /** An endpoint declared in configuration. */
    public static class DeclaredEndpoint {
        /** Tag and name patterns. */
        private List<String> tools = new ArrayList<>();
        /** Name of the environment variable that holds the endpoint's token. */
        private String tokenEnv;
        /** Whether the endpoint is served. */
        private boolean enabled = true;
        /**
         * Access tokens from an identity provider that open the endpoint beside (or instead of) its token: issuer,
         * audience, required-scopes, scope-claim, scope-operations, workspaces (see the README).
         */
        private OAuthPolicy oauth;

        public OAuthPolicy getOauth() {
            return oauth;
        }

        public void setOauth(OAuthPolicy oauth) {
            this.oauth = oauth;
        }

        public List<String> getTools() {
            return tools;
        }

        public void setTools(List<String> tools) {
            this.tools = tools;
        }

        public String getTokenEnv() {
            return tokenEnv;
        }

        public void setTokenEnv(String tokenEnv) {
            this.tokenEnv = tokenEnv;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public Mcp getMcp() {
        return mcp;
    }

    public Security getSecurity() {
        return security;
    }

    public Map<String, DeclaredEndpoint> getEndpoints() {
        return endpoints;
    }

    public void setEndpoints(Map<String, DeclaredEndpoint> endpoints) {
        this.endpoints = endpoints;
    }

    public Duration getEndpointReconcileInterval() {
        return endpointReconcileInterval;
    }

    public void setEndpointReconcileInterval(Duration endpointReconcileInterval) {
        this.endpointReconcileInterval = endpointReconcileInterval;
    }
}
