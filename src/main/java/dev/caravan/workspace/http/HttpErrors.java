package dev.caravan.workspace.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.EtagMismatchException;
import dev.caravan.workspace.storage.FileTooLargeException;
import dev.caravan.workspace.storage.NonEmptyDirectoryException;
import dev.caravan.workspace.storage.PathExistsException;
import dev.caravan.workspace.storage.PathNotFoundException;
import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.storage.PathTypeException;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.StorageFailureException;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * Errors of the HTTP file faces as JSON {@code {"error": "..."}}. Storage messages are already written to name only
 * workspace paths; backend failures (whose causes may name host paths or buckets) are logged, not shown.
 */
public final class HttpErrors {
    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpErrors() {
    }

    /** The status for a storage failure; {@code existsStatus} is what "already exists" means here (409 or 412). */
    public static ApiError of(StorageException e, int existsStatus) {
        int status;
        if (e instanceof PathRejectedException) {
            status = 400;
        } else if (e instanceof PathNotFoundException) {
            status = 404;
        } else if (e instanceof PathExistsException) {
            status = existsStatus;
        } else if (e instanceof EtagMismatchException) {
            status = 412;
        } else if (e instanceof PathTypeException || e instanceof NonEmptyDirectoryException) {
            status = 409;
        } else if (e instanceof FileTooLargeException) {
            status = 413;
        } else {
            status = 500;
            log.warn("Workspace HTTP request failed: {}", e.getMessage(), e.getCause());
        }
        if (e instanceof StorageFailureException) {
            status = 500;
        }
        return new ApiError(status, e.getMessage());
    }

    /** An unknown workspace (the registry speaks to agents; here it is simply not found). */
    public static ApiError of(ToolFailure e) {
        return new ApiError(404, e.getMessage());
    }

    /** Writes the error unless the response has started (then the connection is cut, which clients notice). */
    public static void write(HttpServletResponse response, int status, String message) throws IOException {
        if (response.isCommitted()) {
            throw new IOException("response already started; cannot report: " + message);
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(JSON.writeValueAsString(Map.of("error", message == null ? "failed" : message)));
    }
}
