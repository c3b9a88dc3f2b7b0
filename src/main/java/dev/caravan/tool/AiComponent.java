package dev.caravan.tool;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultProducer;

import java.util.Map;

/**
 * The three route-facing components: {@code ai-tool}, {@code ai-resource}, {@code ai-prompt}. Their options are
 * parsed into a spec when the endpoint is created, so a bad option fails the route (and names the option).
 */
public class AiComponent extends DefaultComponent {
    public enum Kind { TOOL, RESOURCE, PROMPT }

    private final Kind kind;
    private final FeatureRegistry registry;

    public AiComponent(Kind kind, FeatureRegistry registry) {
        this.kind = kind;
        this.registry = registry;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        UriOptions options = new UriOptions(getCamelContext(), uri, parameters);
        return switch (kind) {
            case TOOL -> {
                ToolSpec spec = ToolSpec.parse(remaining, options);
                yield new AiEndpoint(uri, this, registry, spec.tags(), (src, c) -> new RouteTool(spec, src, c), null);
            }
            case RESOURCE -> {
                ResourceSpec spec = ResourceSpec.parse(remaining, options);
                yield new AiEndpoint(uri, this, registry, spec.tags(), (src, c) -> new RouteResource(spec, src, c),
                        endpoint -> new DefaultProducer(endpoint) {
                            // Sending to an ai-resource endpoint announces that the resource changed.
                            @Override
                            public void process(Exchange exchange) {
                                String target = exchange.getMessage().getHeader(Headers.RESOURCE_URI, spec.uri(), String.class);
                                if (target == null) {
                                    throw new IllegalArgumentException("Set header " + Headers.RESOURCE_URI
                                            + " to the concrete URI when announcing an update of a resource template");
                                }
                                registry.resourceUpdated(target);
                            }
                        });
            }
            case PROMPT -> {
                PromptSpec spec = PromptSpec.parse(remaining, options);
                yield new AiEndpoint(uri, this, registry, spec.tags(), (src, c) -> new RoutePrompt(spec, src, c), null);
            }
        };
    }
}
