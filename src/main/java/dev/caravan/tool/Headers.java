package dev.caravan.tool;

import dev.caravan.core.Caller;

/**
 * Exchange headers Caravan sets or reads. Prefixed so they can never collide with tool arguments, and so that
 * {@link OutboundHeaderFilter} can keep every one of them inside the process: producers never send them and
 * replies never set them.
 */
public final class Headers {
    /** The tool, resource or prompt name being served. */
    public static final String NAME = "CaravanName";
    /** All arguments of the call as a map (the body carries them too). */
    public static final String ARGUMENTS = "CaravanArguments";
    /** The concrete URI of a resource being read, or announced as updated. */
    public static final String RESOURCE_URI = "CaravanResourceUri";
    /** MIME type of a binary body (image/..., audio/...). */
    public static final String MIME_TYPE = "CaravanMimeType";
    /** Set by ai-client:elicitation: accept, decline or cancel. */
    public static final String ELICITATION_ACTION = "CaravanElicitationAction";
    /** Set by ai-client:ask: a map of each elicitation's inputKey to accept, decline or cancel. */
    public static final String ELICITATION_ACTIONS = "CaravanElicitationActions";
    /** Who is calling, as {@code endpoint/credential} (see {@link Caller#principal()}). */
    public static final String CALLER = "CaravanCaller";
    /**
     * The capabilities the calling client declared, as a sorted list of names ({@code elicitation},
     * {@code roots}, {@code sampling}, ...), so a route can ask only what the client can answer; empty outside
     * an MCP call.
     */
    public static final String CLIENT_CAPABILITIES = "CaravanClientCapabilities";
    /** Set by ai-client:sampling: the model that answered. */
    public static final String SAMPLING_MODEL = "CaravanSamplingModel";

    private Headers() {
    }
}
