package dev.caravan.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;

import java.io.IOException;
import java.net.URI;

/** Builds the problem details body, and writes it where no controller advice runs (security filters). */
public final class Problems {
    /** Spring's mixin gives the same JSON as its message converters (extension members flat, nulls left out). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class);

    private Problems() {
    }

    public static ProblemDetail of(ApiProblem problem, String detail, HttpServletRequest request) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.status(), detail);
        body.setType(problem.type());
        body.setTitle(problem.title());
        String instance = instance(request);
        if (instance != null) {
            body.setInstance(URI.create(instance));
        }
        return body;
    }

    /**
     * The request's path (never the query, which may carry {@code ?key=}), percent-encoded as received; a share
     * link's token is left out, so that a body copied into a ticket does not carry the capability along.
     */
    static String instance(HttpServletRequest request) {
        if (request == null) {
            return null;
        }
        String path = request.getRequestURI();
        if (path == null || path.isEmpty()) {
            return null;
        }
        String context = request.getContextPath() == null ? "" : request.getContextPath();
        if (path.startsWith(context + "/s/")) {
            int start = context.length() + 3;
            int end = path.indexOf('/', start);
            path = context + "/s/TOKEN" + (end < 0 ? "" : path.substring(end));
        }
        try {
            return URI.create(path).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** For filters: writes the problem unless the response has started. */
    public static void write(HttpServletRequest request, HttpServletResponse response, ApiProblem problem,
                             String detail) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setHeader("Cache-Control", "no-store");
        JSON.writeValue(response.getOutputStream(), of(problem, detail, request));
    }
}
