package dev.caravan.server.oauth;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code caravan.mcp.oauth.*}: how access tokens from identity providers are checked on the endpoints that take
 * them (each endpoint's own policy is set through the admin API or {@code caravan.endpoints.NAME.oauth.*}).
 */
@ConfigurationProperties("caravan.mcp.oauth")
public class EndpointOAuthProperties {
    /** Clock difference tolerated between Caravan and the identity provider when checking a token's exp and nbf. */
    private Duration clockSkew = Duration.ofSeconds(30);
    /** How long a request to the identity provider (discovery, JWKS, introspection) may take. */
    private Duration providerTimeout = Duration.ofSeconds(5);

    public Duration getClockSkew() {
        return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
        this.clockSkew = clockSkew;
    }

    public Duration getProviderTimeout() {
        return providerTimeout;
    }

    public void setProviderTimeout(Duration providerTimeout) {
        this.providerTimeout = providerTimeout;
    }
}
