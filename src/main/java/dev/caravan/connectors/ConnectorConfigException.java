package dev.caravan.connectors;

/**
 * A {@code connectors/*.yaml} file cannot be used; the message names the file, the line when known, and the reason.
 * Each connector subclasses it only to keep its own name ({@code UpstreamConfigException}, ...) for callers.
 */
public class ConnectorConfigException extends RuntimeException {
    private final String file;
    private final Integer line;
    private final String reason;

    public ConnectorConfigException(String file, Integer line, String reason) {
        super(file + (line == null ? "" : " line " + line) + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public Integer line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
