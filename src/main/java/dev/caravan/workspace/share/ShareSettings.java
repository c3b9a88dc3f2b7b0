package dev.caravan.workspace.share;

import java.time.Duration;

/**
 * @param defaultExpiry how long a share lives when its creator does not say
 * @param maxExpiry     the longest a share may live; every share expires
 * @param publicBaseUrl the URL people reach Caravan at ({@code caravan.public-base-url}); null to use the base URL
 *                      of the MCP request that created the share
 */
record ShareSettings(Duration defaultExpiry, Duration maxExpiry, String publicBaseUrl) {
    public ShareSettings {
        if (defaultExpiry.isNegative() || defaultExpiry.isZero() || maxExpiry.compareTo(defaultExpiry) < 0) {
            throw new IllegalArgumentException("share expiry: the default must be positive and at most the maximum");
        }
    }
}
