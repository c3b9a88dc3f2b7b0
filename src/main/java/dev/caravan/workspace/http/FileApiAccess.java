package dev.caravan.workspace.http;

import dev.caravan.web.ApiException;
import dev.caravan.admin.AdminToken;
import dev.caravan.server.EndpointService;
import dev.caravan.core.WorkspaceScopes.Operation;
import dev.caravan.workspace.WorkspaceAccess;
import jakarta.servlet.http.HttpServletRequest;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Who may do what through the HTTP file API; the one place that decides (credential scopes plug in here).
 *
 * <p>{@code Authorization: Bearer} with the admin token may do everything. An endpoint's token may do over HTTP
 * what its endpoint's tools already let it do over MCP, on any workspace (as those tools can): read when the
 * endpoint exposes a file-reading tool, write and delete when it exposes {@code write_file}; and within that, what
 * its credential's workspace scopes allow ({@link WorkspaceAccess}, the same check the workspace tools make).
 */
public class FileApiAccess {
    public enum Right { READ, WRITE }

    private static final List<String> READ_TOOLS = List.of("read_text_file", "read_media_file", "read_multiple_files");
    private static final List<String> WRITE_TOOLS = List.of("write_file");

    /**
     * Who is calling and what its endpoint's tools let it do.
     *
     * @param who the endpoint credential, or null for the admin token
     */
    public record Caller(dev.caravan.core.Caller who, Set<Right> rights) {
        /** "admin", or the credential's principal (e.g. {@code sales/default}). */
        public String name() {
            return who == null ? "admin" : who.principal();
        }
    }

    private final AdminToken admin;
    private final EndpointService endpoints;
    private final WorkspaceAccess scopes;

    public FileApiAccess(AdminToken admin, EndpointService endpoints, WorkspaceAccess scopes) {
        this.admin = admin;
        this.endpoints = endpoints;
        this.scopes = scopes;
    }

    /** @throws ApiException 401 without a token that opens anything */
    public Caller authenticate(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null && Boolean.TRUE.equals(request.getAttribute(AdminToken.CONSOLE_SESSION))) {
            return new Caller(null, EnumSet.allOf(Right.class)); // the web console, signed in with the admin token
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("Send 'Authorization: Bearer <token>' with the admin token or an endpoint's "
                    + "token.");
        }
        String token = header.substring(7).strip();
        if (admin.matches(token)) {
            return new Caller(null, EnumSet.allOf(Right.class));
        }
        dev.caravan.core.Caller who = endpoints.callerFor(token).orElseThrow(() -> ApiException.unauthorized(
                "The token in 'Authorization: Bearer' is not valid (unknown, expired or replaced)."));
        EnumSet<Right> rights = EnumSet.noneOf(Right.class);
        List<String> published = endpoints.publishedTools(who.endpoint());
        if (published.stream().anyMatch(READ_TOOLS::contains)) {
            rights.add(Right.READ);
        }
        if (published.stream().anyMatch(WRITE_TOOLS::contains)) {
            rights.add(Right.WRITE);
        }
        return new Caller(who, rights);
    }

    /** @throws ApiException 403 when the caller may not do this in this workspace */
    public void authorize(Caller caller, String workspace, Right right) {
        if (!caller.rights().contains(right)) {
            throw ApiException.forbidden("This token may not " + (right == Right.READ ? "read" : "change") + " files in "
                    + "workspace '" + workspace + "'" + (right == Right.READ ? "" : " (its endpoint has no write_file tool)")
                    + ".");
        }
        if (caller.who() != null
                && !scopes.allows(caller.who(), workspace, right == Right.READ ? Operation.READ : Operation.WRITE)) {
            throw ApiException.forbidden("This token's scopes do not allow " + (right == Right.READ ? "reading" : "changing")
                    + " files in workspace '" + workspace + "'.");
        }
    }
}
