package dev.caravan.workspace.share;

/**
 * A share link that cannot be used for this request: unknown (404), no longer usable (410: expired, revoked, used
 * up, or its workspace is gone), or a missing or wrong password (401). The message is safe to show to whoever
 * holds the link: it names no workspace, path or creator.
 */
public class ShareDenied extends RuntimeException {
    private final int status;

    public ShareDenied(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static ShareDenied unknown() {
        return new ShareDenied(404, "There is no such share link; check that the whole link was copied.");
    }

    static ShareDenied gone(ShareRecord.State state) {
        return new ShareDenied(410, switch (state) {
            case EXPIRED -> "This share link has expired; ask whoever sent it for a new one.";
            case REVOKED -> "This share link was revoked; ask whoever sent it for a new one.";
            case USED_UP -> "This share link has been used as many times as it allows; ask whoever sent it for a "
                    + "new one.";
            case ACTIVE -> "This share link is no longer available.";
        });
    }

    static ShareDenied password(boolean given) {
        return new ShareDenied(401, given ? "The password for this share link is wrong."
                : "This share link needs a password: send it as HTTP Basic authentication (any user name) or in "
                + "the X-Share-Password header.");
    }
}
