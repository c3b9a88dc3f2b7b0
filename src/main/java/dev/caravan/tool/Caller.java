package dev.caravan.tool;

/**
 * Who is calling: the endpoint the request came through and the name of the credential that opened it. Locks,
 * shares and the audit trail record it; a call made outside MCP (a timer route, a test) has no credential.
 *
 * @param endpoint   the published endpoint's name, or null outside an endpoint
 * @param credential the credential's name (a declared endpoint's single token is called "declared"), or null
 */
public record Caller(String endpoint, String credential) {
    /** Request attribute under which the dispatcher leaves the authenticated caller for the SDK transport. */
    public static final String ATTRIBUTE = "caravan.caller";

    public static final Caller NONE = new Caller(null, null);

    /** A stable principal string, e.g. {@code sales/ci-bot}, for records and messages. */
    public String principal() {
        if (endpoint == null) {
            return "system";
        }
        return credential == null ? endpoint : endpoint + "/" + credential;
    }
}
