package dev.caravan.tool;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/** An {@code ai-tool:}, {@code ai-resource:} or {@code ai-prompt:} endpoint: its consumer publishes a feature. */
public class AiEndpoint extends DefaultEndpoint {
    private final BiFunction<String, AiConsumer, RouteFeature> feature;
    private final FeatureRegistry registry;
    private final Function<AiEndpoint, Producer> producer;
    private final Set<String> tags;

    AiEndpoint(String uri, AiComponent component, FeatureRegistry registry, Set<String> tags,
               BiFunction<String, AiConsumer, RouteFeature> feature,
               Function<AiEndpoint, Producer> producer) {
        super(uri, component);
        this.registry = registry;
        this.feature = feature;
        this.producer = producer;
        this.tags = Set.copyOf(tags);
    }

    /** The feature's tags, e.g. the scope tag {@code workspace-read}, for checks made when its route loads. */
    public Set<String> tags() {
        return tags;
    }

    @Override
    public Producer createProducer() {
        if (producer == null) {
            throw new IllegalArgumentException(getEndpointUri() + " can only start a route (from:), not be sent to");
        }
        return producer.apply(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        AiConsumer consumer = new AiConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public boolean isLenientProperties() {
        return true;
    }

    RouteFeature feature(String source, AiConsumer consumer) {
        return feature.apply(source, consumer);
    }

    FeatureRegistry registry() {
        return registry;
    }
}
