package dev.caravan.web;

import org.springframework.http.HttpStatus;

import java.net.URI;

/**
 * The kinds of error the HTTP API answers, each with a stable problem {@code type} (RFC 9457): clients may branch on
 * {@link #type()}; the id, and so the URI, never changes once released. The URI identifies; it need not resolve.
 */
public enum ApiProblem {
    INVALID_REQUEST("invalid-request", HttpStatus.BAD_REQUEST, "Invalid request"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Authentication required"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Forbidden"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    CONFLICT("conflict", HttpStatus.CONFLICT, "Conflict"),
    GONE("gone", HttpStatus.GONE, "Gone"),
    PRECONDITION_FAILED("precondition-failed", HttpStatus.PRECONDITION_FAILED, "Precondition failed"),
    TOO_LARGE("too-large", HttpStatus.PAYLOAD_TOO_LARGE, "Too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    RANGE_NOT_SATISFIABLE("range-not-satisfiable", HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "Range not satisfiable"),
    LOCKED("locked", HttpStatus.LOCKED, "Locked"),
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    UPSTREAM_FAILED("upstream-failed", HttpStatus.BAD_GATEWAY, "Upstream failed"),
    UNAVAILABLE("unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Unavailable");

    /** Where the problem type URIs live: {@code https://caravan.dev/problems/ID}. */
    public static final String TYPE_BASE = "https://caravan.dev/problems/";

    private final String id;
    private final HttpStatus status;
    private final String title;

    ApiProblem(String id, HttpStatus status, String title) {
        this.id = id;
        this.status = status;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI type() {
        return URI.create(TYPE_BASE + id);
    }

    /** The problem for a status (Spring's own errors); a status without a kind of its own counts as invalid/internal. */
    public static ApiProblem forStatus(int status) {
        for (ApiProblem p : values()) {
            if (p.status.value() == status) {
                return p;
            }
        }
        return status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
    }
}
