package dev.caravan.tool;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.spi.EndpointStrategy;
import org.apache.camel.spi.HeaderFilterStrategyAware;
import org.apache.camel.spi.InterceptSendToEndpoint;
import org.apache.camel.support.PluginHelper;

/**
 * Applied to every endpoint routes use, when Camel registers it (so {@code toD} endpoints too):
 * <ul>
 * <li>endpoints with a header filter get {@link OutboundHeaderFilter} around their own, so no {@code Caravan*}
 * header and no untouched caller argument goes out through http, https or any other such producer;</li>
 * <li>an http(s) call whose body is still the argument map Caravan put there, with no method set by the route
 * or the URI, is a GET without a body: the map is the tool's input, not something the route chose to upload.</li>
 * </ul>
 */
public final class OutboundCalls implements EndpointStrategy {
    /** Exchange property: the call's bound arguments, the same map the exchange starts with as its body. */
    static final String ARGUMENTS = "CaravanArguments";

    private final CamelContext camel;

    private OutboundCalls(CamelContext camel) {
        this.camel = camel;
    }

    /** Registers the strategy; Camel applies it to endpoints already registered as well. */
    public static void install(CamelContext camel) {
        camel.getCamelContextExtension().registerEndpointCallback(new OutboundCalls(camel));
    }

    @Override
    public Endpoint registerEndpoint(String uri, Endpoint endpoint) {
        if (endpoint instanceof InterceptSendToEndpoint) {
            return endpoint;
        }
        if (endpoint instanceof HeaderFilterStrategyAware aware
                && !(aware.getHeaderFilterStrategy() instanceof OutboundHeaderFilter)) {
            aware.setHeaderFilterStrategy(new OutboundHeaderFilter(aware.getHeaderFilterStrategy()));
        }
        if (endpoint instanceof HttpEndpoint http && http.getHttpMethod() == null) {
            return PluginHelper.getInterceptEndpointFactory(camel)
                    .createInterceptSendToEndpoint(camel, endpoint, false, null, OutboundCalls::dropArgumentBody, null);
        }
        return endpoint;
    }

    private static void dropArgumentBody(Exchange exchange) {
        Object args = exchange.getProperty(ARGUMENTS);
        if (args != null && exchange.getMessage().getBody() == args
                && exchange.getMessage().getHeader(Exchange.HTTP_METHOD) == null) {
            exchange.getMessage().setBody(null);
        }
    }
}
