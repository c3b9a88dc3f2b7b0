package dev.caravan.web;

import org.springframework.http.HttpHeaders;

/**
 * The one failure of the HTTP API (admin, upstream and workspace admin, file API, shares): a problem kind and a
 * detail safe to show (it names only what the caller sent or may see: no host path, bucket, secret or class name).
 * {@link ApiProblemAdvice} answers it as RFC 9457 problem details.
 */
public class ApiException extends RuntimeException {
    private final ApiProblem problem;
    private final HttpHeaders headers = new HttpHeaders();

    public ApiException(ApiProblem problem, String detail) {
        super(detail, null, false, false);
        this.problem = problem;
    }

    public ApiProblem problem() {
        return problem;
    }

    public int status() {
        return problem.status().value();
    }

    /** Headers the answer carries, e.g. {@code WWW-Authenticate} on a 401. */
    public HttpHeaders headers() {
        return headers;
    }

    public ApiException withHeader(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public static ApiException invalid(String detail) {
        return new ApiException(ApiProblem.INVALID_REQUEST, detail);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(ApiProblem.UNAUTHORIZED, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(ApiProblem.FORBIDDEN, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(ApiProblem.NOT_FOUND, detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(ApiProblem.CONFLICT, detail);
    }

    public static ApiException gone(String detail) {
        return new ApiException(ApiProblem.GONE, detail);
    }

    public static ApiException preconditionFailed(String detail) {
        return new ApiException(ApiProblem.PRECONDITION_FAILED, detail);
    }

    public static ApiException tooLarge(String detail) {
        return new ApiException(ApiProblem.TOO_LARGE, detail);
    }

    public static ApiException locked(String detail) {
        return new ApiException(ApiProblem.LOCKED, detail);
    }

    /** A failure whose detail was written for the caller (e.g. "deleted, but removing its files failed"). */
    public static ApiException internal(String detail) {
        return new ApiException(ApiProblem.INTERNAL_ERROR, detail);
    }
}
