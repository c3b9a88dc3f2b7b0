package dev.caravan.workspace.share;

import java.time.Clock;
import java.util.List;

/** The text the share tools answer with (share_create, share_list, share_revoke); the work is in {@link Shares}. */
public class ShareTools {
    private final Shares shares;
    private final Clock clock;

    public ShareTools(Shares shares, Clock clock) {
        this.shares = shares;
        this.clock = clock;
    }

    public String create(Shares.Request request, String requestBaseUrl) {
        Shares.Created created = shares.create(request, requestBaseUrl);
        ShareRecord s = created.share();
        StringBuilder b = new StringBuilder();
        b.append("Created share ").append(s.id()).append(" of ").append(what(s)).append(" (").append(s.permission().id())
                .append("), expires ").append(s.expiresAt());
        if (s.maxUses() != null) {
            b.append(", at most ").append(s.maxUses()).append(s.maxUses() == 1 ? " use" : " uses");
        }
        if (s.hasPassword()) {
            b.append(", password protected");
        }
        b.append(".\nLink (shown only now; Caravan keeps only a hash of it): ").append(created.url());
        if (created.url().startsWith("/")) {
            b.append("\n(Prefix the link with the address people reach this Caravan at; an administrator can set "
                    + "caravan.public-base-url so links come complete.)");
        }
        b.append('\n').append(usage(s));
        b.append("\nRevoke it with share_revoke and id ").append(s.id()).append('.');
        return b.toString();
    }

    private static String usage(ShareRecord s) {
        if (s.permission() == SharePermission.UPLOAD) {
            return "Whoever has the link can add new files to the folder (HTTP PUT to LINK/NAME, or the upload form "
                    + "at the link); existing files are never replaced, and the folder's contents are not shown.";
        }
        return s.folder() ? "Opening the link lists the folder; LINK/PATH fetches a file inside it."
                : "Opening the link " + (s.permission() == SharePermission.VIEW ? "shows" : "downloads") + " the file.";
    }

    public String list(String workspace) {
        List<ShareRecord> all = shares.list(workspace);
        if (all.isEmpty()) {
            return "Workspace '" + workspace + "' has no shares; create one with share_create.";
        }
        StringBuilder b = new StringBuilder("Shares of workspace '" + workspace + "', newest first (links are not "
                + "shown: only their hashes are kept):\n");
        for (ShareRecord s : all) {
            b.append(s.id()).append("  ").append(what(s)).append("  ").append(s.permission().id()).append("  ")
                    .append(state(s)).append("  expires ").append(s.expiresAt()).append("  uses ").append(s.uses())
                    .append(s.maxUses() == null ? "" : "/" + s.maxUses())
                    .append(s.hasPassword() ? "  password" : "")
                    .append(s.createdBy() == null ? "" : "  by " + s.createdBy())
                    .append("  created ").append(s.createdAt()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    public String revoke(String workspace, String id) {
        ShareRecord s = shares.revoke(workspace, id);
        return "Revoked share " + s.id() + " of " + what(s) + "; its link stops working now.";
    }

    private String state(ShareRecord s) {
        return switch (s.stateAt(clock.instant())) {
            case ACTIVE -> "active";
            case EXPIRED -> "expired";
            case REVOKED -> "revoked " + s.revokedAt();
            case USED_UP -> "used up";
        };
    }

    private static String what(ShareRecord s) {
        String path = s.path().isEmpty() ? "the workspace root" : "'" + s.path() + "'";
        return (s.folder() ? "folder " : "file ") + path;
    }
}
