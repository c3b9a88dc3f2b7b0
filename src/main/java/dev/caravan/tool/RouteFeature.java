package dev.caravan.tool;

import java.util.Set;

/** Something a route contributes to the catalogue: a tool, a resource (or template) or a prompt. */
public sealed interface RouteFeature permits RouteTool, RouteResource, RoutePrompt {
    /** Unique within its kind: the tool or prompt name, the resource URI or URI template. */
    String key();

    String kind();

    Set<String> tags();

    /** Where it was defined, e.g. {@code routes/weather.yaml (route weather-now)}. */
    String source();

    AiConsumer consumer();
}
