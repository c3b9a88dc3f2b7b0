package dev.caravan.workspace;

/** {@code workspaces.yaml} cannot be used; the message names the file, the line when known, and the reason. */
public class WorkspaceConfigException extends RuntimeException {
    private final String file;
    private final Integer line;
    private final String reason;

    public WorkspaceConfigException(String file, Integer line, String reason) {
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
