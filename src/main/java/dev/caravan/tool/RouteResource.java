package dev.caravan.tool;

import java.util.Set;

public record RouteResource(ResourceSpec spec, String source, AiConsumer consumer) implements RouteFeature {
    public String key() {
        return spec.isTemplate() ? spec.uriTemplate() : spec.uri();
    }

    public String kind() {
        return spec.isTemplate() ? "resource template" : "resource";
    }

    public Set<String> tags() {
        return spec.tags();
    }
}
