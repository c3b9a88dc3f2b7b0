package dev.caravan.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.CallContext;
import dev.caravan.tool.RouteDefinitionException;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.springframework.boot.convert.DurationStyle;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code mcp:NAME?tool=TOOL[&timeout=30s]} calls tool TOOL (the upstream's own name, without prefix) of the
 * upstream NAME from a route.
 * <ul>
 * <li>Arguments: the body, a Map or a JSON object string; an empty body means no arguments.</li>
 * <li>Result: the body becomes the structured content when the upstream sent one, else the text of its text
 * items; the whole {@code CallToolResult} is in header {@value #RESULT}.</li>
 * <li>{@code isError} results throw {@link UpstreamToolException}; calls that got no answer (not connected,
 * timeout, lost connection) throw {@link UpstreamCallException}. Both work with {@code onException}.</li>
 * <li>Progress and log messages from the upstream reach the MCP client whose call the route is serving.</li>
 * </ul>
 */
public class McpComponent extends DefaultComponent {
    /** Header holding the upstream's whole {@code McpSchema.CallToolResult}. */
    public static final String RESULT = "CaravanMcpResult";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Upstreams upstreams;

    public McpComponent(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String tool = getAndRemoveParameter(parameters, "tool", String.class);
        String timeoutText = getAndRemoveParameter(parameters, "timeout", String.class);
        if (remaining == null || remaining.isBlank()) {
            throw new RouteDefinitionException(uri + ": name the upstream, e.g. mcp:github?tool=search_issues");
        }
        if (tool == null || tool.isBlank()) {
            throw new RouteDefinitionException(uri + ": the tool option is required, e.g. mcp:" + remaining
                    + "?tool=search_issues");
        }
        if (!parameters.isEmpty()) {
            throw new RouteDefinitionException(uri + ": unknown option(s) " + parameters.keySet()
                    + " (mcp: takes tool and timeout)");
        }
        Duration timeout;
        try {
            timeout = timeoutText == null ? null : DurationStyle.detectAndParse(timeoutText);
        } catch (IllegalArgumentException e) {
            throw new RouteDefinitionException(uri + ": timeout '" + timeoutText + "' is not a duration (e.g. 30s)");
        }
        return new McpEndpoint(uri, this, remaining, tool, timeout);
    }

    private final class McpEndpoint extends DefaultEndpoint {
        private final String upstream;
        private final String tool;
        private final Duration timeout;

        McpEndpoint(String uri, McpComponent component, String upstream, String tool, Duration timeout) {
            super(uri, component);
            this.upstream = upstream;
            this.tool = tool;
            this.timeout = timeout;
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    call(exchange);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new IllegalArgumentException(getEndpointUri() + " is a route step (to:), not a route start");
        }

        private void call(Exchange exchange) {
            CallContext context = exchange.getProperty(CallContext.PROPERTY, CallContext.class);
            McpSchema.CallToolResult result = upstreams.call(upstream, tool, arguments(exchange), context, timeout);
            exchange.getMessage().setHeader(RESULT, result);
            if (Boolean.TRUE.equals(result.isError())) {
                throw new UpstreamToolException(upstream, tool, result);
            }
            exchange.getMessage().setBody(result.structuredContent() != null ? result.structuredContent()
                    : UpstreamResults.text(result));
        }

        private Map<String, Object> arguments(Exchange exchange) {
            Object body = exchange.getMessage().getBody();
            if (body == null) {
                return Map.of();
            }
            if (body instanceof Map<?, ?> map) {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), v));
                return out;
            }
            String text = exchange.getMessage().getBody(String.class);
            if (text == null || text.isBlank()) {
                return Map.of();
            }
            try {
                return JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {
                });
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(getEndpointUri() + " needs the arguments as a Map or a JSON object "
                        + "in the body; the body is not a JSON object");
            }
        }
    }
}
