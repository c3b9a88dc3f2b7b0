package dev.caravan.upstream;

import dev.caravan.connectors.ConnectorConfigException;

/** {@code upstreams.yaml} cannot be used; the message names the file, the line when known, and the reason. */
public class UpstreamConfigException extends ConnectorConfigException {

    public UpstreamConfigException(String file, Integer line, String reason) {
        super(file, line, reason);
    }
}
