package dev.caravan.workspace.component;

import dev.caravan.core.WorkspaceScopes;

/**
 * A route step that acts on a workspace with a scope, so {@link WorkspaceRouteCheck} can hold a tool's scope tags
 * to what its steps need: the {@code workspace:} endpoints, and other components' (e.g. {@code imports:}).
 */
public interface ScopedStep {
    /** The scope a tool calling this step must carry as its tag; null when it needs none. */
    WorkspaceScopes.Operation requiredScope();

    /** The operation, for the loader's message. */
    String operationId();
}
