package dev.caravan.tool;

import java.util.Set;

public record RouteTool(ToolSpec spec, String source, AiConsumer consumer) implements RouteFeature {
    public String key() {
        return spec.name();
    }

    public String kind() {
        return "tool";
    }

    public Set<String> tags() {
        return spec.tags();
    }
}
