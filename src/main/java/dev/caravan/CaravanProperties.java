package dev.caravan;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything under {@code caravan.*}; defaults suit a laptop with no external service. */
@ConfigurationProperties("caravan")
public class CaravanProperties {
    /** Route files (*.yaml, *.yml, recursively); watched for changes. */
    private Path routesDir = Path.of("routes");
    /** Connector declarations (workspaces, upstreams). */
    private Path connectorsDir = Path.of("connectors");
    /** State: the embedded database, the generated admin token. */
    private Path dataDir = Path.of("data");
    /** How often the routes directory is scanned for changes. */
    private Duration routesPollInterval = Duration.ofMillis(500);
    /** The URL clients reach Caravan at; derived from each request when unset. */
    private String publicBaseUrl;
    private final Mcp mcp = new Mcp();
    private final Tools tools = new Tools();
    private final Security security = new Security();
    /** Endpoints declared in configuration, by name. */
    private Map<String, DeclaredEndpoint> endpoints = new LinkedHashMap<>();

    public static class Mcp {
        /** Largest JSON-RPC request body accepted. */
        private int maxRequestBytes = 4 * 1024 * 1024;
        /**
         * How long a request to the calling client (sampling, elicitation) may wait for its answer. Elicitation waits
         * for a person, so this is long; the tool's own timeout still bounds the call.
         */
        private Duration clientRequestTimeout = Duration.ofMinutes(10);

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

    public static class Tools {
        /** How long a tool, resource or prompt route may run before it is stopped. */
        private Duration timeout = Duration.ofSeconds(60);
        /** Per-tool overrides, by tool name. */
        private Map<String, Duration> timeouts = new LinkedHashMap<>();

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Map<String, Duration> getTimeouts() {
            return timeouts;
        }

        public void setTimeouts(Map<String, Duration> timeouts) {
            this.timeouts = timeouts;
        }
    }

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

    public static class DeclaredEndpoint {
        /** Tag and name patterns. */
        private List<String> tools = new ArrayList<>();
        /** Name of the environment variable that holds the endpoint's token. */
        private String tokenEnv;
        private boolean enabled = true;

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

    public Path getRoutesDir() {
        return routesDir;
    }

    public void setRoutesDir(Path routesDir) {
        this.routesDir = routesDir;
    }

    public Path getConnectorsDir() {
        return connectorsDir;
    }

    public void setConnectorsDir(Path connectorsDir) {
        this.connectorsDir = connectorsDir;
    }

    public Path getDataDir() {
        return dataDir;
    }

    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    public Duration getRoutesPollInterval() {
        return routesPollInterval;
    }

    public void setRoutesPollInterval(Duration routesPollInterval) {
        this.routesPollInterval = routesPollInterval;
    }

    public String getPublicBaseUrl() {
        return publicBaseUrl;
    }

    public void setPublicBaseUrl(String publicBaseUrl) {
        this.publicBaseUrl = publicBaseUrl;
    }

    public Mcp getMcp() {
        return mcp;
    }

    public Tools getTools() {
        return tools;
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
}
