package dev.caravan.workspace.audit;

import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.lock.LockedException;
import dev.caravan.workspace.storage.EtagMismatchException;
import dev.caravan.workspace.storage.FileTooLargeException;
import dev.caravan.workspace.storage.NonEmptyDirectoryException;
import dev.caravan.workspace.storage.PathExistsException;
import dev.caravan.workspace.storage.PathNotFoundException;
import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.storage.PathTypeException;

/** The outcome classes of the audit trail: {@code ok}, or what kind of failure. */
public final class AuditOutcome {
    public static final String OK = "ok";
    /** A path refused (traversal, reserved names) or an operation the caller may not do. */
    public static final String DENIED = "denied";
    public static final String NOT_FOUND = "not-found";
    /** The state was not as required: etag mismatch, destination exists, directory not empty, file vs directory. */
    public static final String CONFLICT = "conflict";
    /** Someone else's lock was in the way. */
    public static final String LOCKED = "locked";
    public static final String TOO_LARGE = "too-large";
    /** Refused for the call itself: bad arguments, an edit that did not match, an unknown workspace or token. */
    public static final String REJECTED = "rejected";
    /** The storage or Caravan failed. */
    public static final String ERROR = "error";

    /** An exception that knows its own outcome class (e.g. a scope refusal: {@link #DENIED}). */
    public interface Classified {
        String auditOutcome();
    }

    private AuditOutcome() {
    }

    public static String of(Throwable failure) {
        if (failure instanceof Classified c) {
            return c.auditOutcome();
        }
        if (failure instanceof LockedException) {
            return LOCKED;
        }
        if (failure instanceof PathNotFoundException) {
            return NOT_FOUND;
        }
        if (failure instanceof PathRejectedException) {
            return DENIED;
        }
        if (failure instanceof EtagMismatchException || failure instanceof PathExistsException
                || failure instanceof NonEmptyDirectoryException || failure instanceof PathTypeException) {
            return CONFLICT;
        }
        if (failure instanceof FileTooLargeException) {
            return TOO_LARGE;
        }
        if (failure instanceof ToolFailure) {
            return REJECTED;
        }
        return ERROR;
    }
}
