package dev.caravan.core;

/**
 * Who is calling: the endpoint the request came through, the name of the credential that opened it, and what that
 * credential may do with workspaces. Locks, shares and the audit trail record it. A call made outside MCP (a timer
 * route, a test) is {@link #NONE}: it holds no scopes itself, and the workspace component gives it the access
 * configured for unattended routes ({@code caravan.workspace.unattended.*}).
 *
 * @param endpoint   the published endpoint's name, or null outside an endpoint
 * @param credential the credential's name (a declared endpoint's single token is called "declared"), or null
 * @param scopes     the credential's workspace scopes; {@link WorkspaceScopes#ALL} unless the credential was given some
 */
public record Caller(String endpoint, String credential, WorkspaceScopes scopes) {
    /** Request attribute under which the dispatcher leaves the authenticated caller for the SDK transport. */
    public static final String ATTRIBUTE = "caravan.caller";

    /** No MCP call behind it; fails closed wherever it is not replaced by a configured caller. */
    public static final Caller NONE = new Caller(null, null, WorkspaceScopes.NONE);

    public Caller {
        scopes = scopes == null ? WorkspaceScopes.ALL : scopes;
    }

    public Caller(String endpoint, String credential) {
        this(endpoint, credential, WorkspaceScopes.ALL);
    }

    /** A stable principal string, e.g. {@code sales/ci-bot}, for records and messages. */
    public String principal() {
        if (endpoint == null) {
            return "system";
        }
        return credential == null ? endpoint : endpoint + "/" + credential;
    }
}
