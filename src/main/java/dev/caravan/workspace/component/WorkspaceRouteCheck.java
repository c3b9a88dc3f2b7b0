package dev.caravan.workspace.component;

import dev.caravan.tool.AiEndpoint;
import dev.caravan.tool.RouteCheck;
import dev.caravan.tool.RouteDefinitionException;
import dev.caravan.core.WorkspaceScopes;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;

import java.util.EnumSet;
import java.util.Set;

/**
 * Keeps a tool's visibility and its enforcement in step: a tool that carries scope tags ({@code workspace-read}, ...)
 * is shown only to credentials holding them, so every {@code workspace:} step of its route must need a scope among
 * them; otherwise a reader would be shown a tool that writes (and be refused at the call). Tools without scope tags
 * are shown to everyone and left to the check every operation makes when it runs. Steps reached through
 * {@code direct:} or a dynamic {@code toD} are not followed; the run-time check still holds for them.
 */
public final class WorkspaceRouteCheck implements RouteCheck {
    private static final String SCOPE_TAG = "workspace-";

    @Override
    public void check(RouteDefinition route, CamelContext camel) {
        if (route.getInput() == null || !(camel.getEndpoint(route.getInput().getEndpointUri()) instanceof AiEndpoint ai)) {
            return;
        }
        Set<WorkspaceScopes.Operation> tagged = EnumSet.noneOf(WorkspaceScopes.Operation.class);
        for (String tag : ai.tags()) {
            WorkspaceScopes.Operation scope = tag.startsWith(SCOPE_TAG)
                    ? WorkspaceScopes.Operation.of(tag.substring(SCOPE_TAG.length())) : null;
            if (scope != null) {
                tagged.add(scope);
            }
        }
        if (tagged.isEmpty()) {
            return;
        }
        for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                SendDefinition.class)) {
            Endpoint step = camel.getEndpoint(send.getEndpointUri());
            if (step instanceof ScopedStep w && w.requiredScope() != null
                    && !tagged.contains(w.requiredScope())) {
                String feature = route.getInput().getEndpointUri().replaceFirst("\\?.*", "");
                String where = send.getLineNumber() > 0 ? "its step at line " + send.getLineNumber() : "its step";
                throw new RouteDefinitionException(feature + " carries the scope tag" + (tagged.size() == 1 ? " " : "s ")
                        + String.join(", ", tagged.stream().map(WorkspaceScopes.Operation::tag).toList()) + ", but "
                        + where + " '" + send.getEndpointUri() + "' runs " + w.operationId() + ", which needs "
                        + w.requiredScope().tag() + ": credentials shown the tool could not use it. Add the tag "
                        + w.requiredScope().tag() + " to the tool, or call an operation its tags cover.");
            }
        }
    }
}
