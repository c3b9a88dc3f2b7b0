package dev.caravan.imports;

/**
 * An import that cannot go on, with its reason word and a message fit for the agent (never a resolved address
 * the caller did not give, a host path or a stack trace).
 */
public class ImportFailure extends RuntimeException {
    private final ImportReason reason;
    private final Integer httpStatus;

    public ImportFailure(ImportReason reason, String message) {
        this(reason, message, null);
    }

    public ImportFailure(ImportReason reason, String message, Integer httpStatus) {
        super(message, null, false, false);
        this.reason = reason;
        this.httpStatus = httpStatus;
    }

    public ImportReason reason() {
        return reason;
    }

    public Integer httpStatus() {
        return httpStatus;
    }
}
