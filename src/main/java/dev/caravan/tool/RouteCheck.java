package dev.caravan.tool;

import org.apache.camel.CamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * A connector's check of a route before its file is loaded, beyond what Camel checks itself: e.g. that a tool's
 * scope tag covers what its steps do. The route loader asks every bean of this type in the Camel registry about
 * every route of a file, after the route's endpoints were resolved; a refusal leaves the file's previous version
 * serving and is reported with its line and reason, as any other load error.
 */
public interface RouteCheck {
    /** @throws RouteDefinitionException saying what is wrong, naming the line as "line N" when it is known */
    void check(RouteDefinition route, CamelContext camel);
}
