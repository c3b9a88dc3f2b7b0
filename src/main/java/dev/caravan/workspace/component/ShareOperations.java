package dev.caravan.workspace.component;

import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.share.ShareTools;
import dev.caravan.workspace.share.Shares;
import org.apache.camel.Message;

/** share_create, share_list and share_revoke; without the database (null shares) they say so. */
final class ShareOperations {
    private final ShareTools shares;

    ShareOperations(ShareTools shares) {
        this.shares = shares;
    }

    Object create(OperationCall call) {
        Args args = call.args();
        Caller caller = call.caller();
        // A share made outside MCP has no owner to record; the link still names its workspace.
        return shares().create(new Shares.Request(call.workspace().name(), args.path("path", true),
                        args.string("permission"), args.string("expiresIn"), args.string("password"),
                        args.integer("maxUses", 1, Integer.MAX_VALUE),
                        caller.endpoint() == null ? null : caller.principal()),
                requestBaseUrl(call.message()));
    }

    Object list(OperationCall call) {
        return shares().list(call.workspace().name());
    }

    Object revoke(OperationCall call) {
        return shares().revoke(call.workspace().name(), call.args().required("shareId"));
    }

    private ShareTools shares() {
        if (shares == null) {
            throw new ToolFailure("Share links are not available here.");
        }
        return shares;
    }

    /** The base URL the calling MCP client used, for share links when caravan.public-base-url is not set. */
    private static String requestBaseUrl(Message message) {
        CallContext context = message.getExchange().getProperty(CallContext.PROPERTY, CallContext.class);
        if (context == null || context.client() == null || context.client().transportContext() == null) {
            return null;
        }
        Object base = context.client().transportContext().get(CallContext.REQUEST_BASE_URL);
        return base == null ? null : base.toString();
    }
}
