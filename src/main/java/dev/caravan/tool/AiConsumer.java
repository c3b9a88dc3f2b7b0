package dev.caravan.tool;

import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.support.DefaultConsumer;

/** Publishes its route's feature while the route runs; executions arrive through {@link RouteInvoker}. */
public class AiConsumer extends DefaultConsumer {
    private RouteFeature feature;

    AiConsumer(AiEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public AiEndpoint getEndpoint() {
        return (AiEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        feature = getEndpoint().feature(source(), this);
        getEndpoint().registry().register(feature);
    }

    @Override
    protected void doStop() throws Exception {
        if (feature != null) {
            getEndpoint().registry().unregister(feature);
            feature = null;
        }
        super.doStop();
    }

    private String source() {
        Route route = getRouteId() == null ? null : getEndpoint().getCamelContext().getRoute(getRouteId());
        String id = "route " + getRouteId();
        if (route != null && route.getSourceResource() != null) {
            String location = route.getSourceResource().getLocation();
            return (location.startsWith("file:") ? location.substring(5) : location) + " (" + id + ")";
        }
        return id;
    }
}
