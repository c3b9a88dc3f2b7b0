package dev.caravan.workspace.http;

import dev.caravan.web.ApiException;
import dev.caravan.web.ApiProblem;
import dev.caravan.workspace.storage.EtagMismatchException;
import dev.caravan.workspace.storage.FileTooLargeException;
import dev.caravan.workspace.storage.NonEmptyDirectoryException;
import dev.caravan.workspace.storage.PathExistsException;
import dev.caravan.workspace.storage.PathNotFoundException;
import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.storage.PathTypeException;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.StorageFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage failures of the HTTP file faces as API problems. Storage messages are already written to name only
 * workspace paths; backend failures (whose causes may name host paths or buckets) are logged, not shown.
 */
final class HttpErrors {
    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {
    }

    /** The problem for a storage failure; {@code exists} is what "already exists" means here (conflict or 412). */
    static ApiException of(StorageException e, ApiProblem exists) {
        ApiProblem problem;
        if (e instanceof StorageFailureException) {
            problem = ApiProblem.INTERNAL_ERROR;
            log.warn("Workspace HTTP request failed: {}", e.getMessage(), e.getCause());
        } else if (e instanceof PathRejectedException) {
            problem = ApiProblem.INVALID_REQUEST;
        } else if (e instanceof PathNotFoundException) {
            problem = ApiProblem.NOT_FOUND;
        } else if (e instanceof PathExistsException) {
            problem = exists;
        } else if (e instanceof EtagMismatchException) {
            problem = ApiProblem.PRECONDITION_FAILED;
        } else if (e instanceof PathTypeException || e instanceof NonEmptyDirectoryException) {
            problem = ApiProblem.CONFLICT;
        } else if (e instanceof FileTooLargeException) {
            problem = ApiProblem.TOO_LARGE;
        } else {
            problem = ApiProblem.INTERNAL_ERROR;
            log.warn("Workspace HTTP request failed: {}", e.getMessage(), e.getCause());
        }
        return new ApiException(problem, e.getMessage());
    }
}
