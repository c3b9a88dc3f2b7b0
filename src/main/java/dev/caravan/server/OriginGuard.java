package dev.caravan.server;

import jakarta.servlet.http.HttpServletRequest;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * DNS-rebinding protection for the MCP endpoints: the Host header must name an allowed host and a browser's
 * Origin, when sent, must too. Allowed hosts default to localhost; deployments list their public names.
 */
public class OriginGuard {
    private final List<String> allowedHosts;
    private final List<String> allowedOrigins;

    public OriginGuard(List<String> allowedHosts, List<String> allowedOrigins) {
        this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.allowedOrigins = allowedOrigins.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    /** Null when the Host header names an allowed host, otherwise why not. */
    public String refuseHost(HttpServletRequest request) {
        String host = hostOnly(request.getHeader("Host"));
        return host != null && hostAllowed(host) ? null
                : "Host '" + request.getHeader("Host") + "' is not allowed; add it to caravan.security.allowed-hosts";
    }

    /** Null when allowed, otherwise why not. */
    public String refuse(HttpServletRequest request) {
        String host = hostOnly(request.getHeader("Host"));
        if (host == null || !hostAllowed(host)) {
            return "Host '" + request.getHeader("Host") + "' is not allowed; add it to caravan.security.allowed-hosts";
        }
        String origin = request.getHeader("Origin");
        if ("null".equals(origin)) {
            // Sandboxed frames, file: pages and some redirects send it: any page can, so it proves nothing.
            return allowedOrigins.contains("null") ? null : "Origin 'null' is not allowed; list \"null\" in "
                    + "caravan.security.allowed-origins to accept it (sandboxed frames, file: pages)";
        }
        if (origin != null) {
            String originHost;
            try {
                originHost = URI.create(origin).getHost();
            } catch (IllegalArgumentException e) {
                return "Origin '" + origin + "' is not a valid origin";
            }
            if (originHost == null || !(hostAllowed(originHost.toLowerCase(Locale.ROOT))
                    || allowedOrigins.contains(origin.toLowerCase(Locale.ROOT)) || allowedOrigins.contains("*"))) {
                return "Origin '" + origin + "' is not allowed; add it to caravan.security.allowed-origins";
            }
        }
        return null;
    }

    private boolean hostAllowed(String host) {
        return allowedHosts.contains("*") || allowedHosts.contains(host);
    }

    static String hostOnly(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
