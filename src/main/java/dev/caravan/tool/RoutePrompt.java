package dev.caravan.tool;

import java.util.Set;

public record RoutePrompt(PromptSpec spec, String source, AiConsumer consumer) implements RouteFeature {
    public String key() {
        return spec.name();
    }

    public String kind() {
        return "prompt";
    }

    public Set<String> tags() {
        return spec.tags();
    }
}
